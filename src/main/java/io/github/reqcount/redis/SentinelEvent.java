package io.github.reqcount.redis;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One message on a Sentinel's failover channels, split into words once. The messages are "master NAME IP PORT",
 * "slave ADDR IP PORT @ NAME IP PORT", "NAME OLDIP OLDPORT NEWIP NEWPORT" (+switch-master), "LEADER EPOCH"
 * (+vote-for-leader) or an epoch alone.
 */
record SentinelEvent(String channel, String message, List<String> words) {

    /** Channels that announce a failover of some stage. */
    static final Set<String> ALARMS = Set.of("+odown", "+new-epoch", "+try-failover", "+vote-for-leader",
            "+elected-leader", "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
            "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves", "+switch-master");
    /** Channels on which the leader announces that its failover is over, one way or the other. */
    static final Set<String> ENDINGS = Set.of("+failover-end", "+failover-end-for-timeout",
            "-failover-abort-not-elected", "-failover-abort-no-good-slave", "-failover-abort-slave-timeout");

    static SentinelEvent of(String channel, String message) {
        return new SentinelEvent(channel, message, List.of(message.split(" ")));
    }

    /** Every channel a watch subscribes to. */
    static String[] channels() {
        return Stream.concat(ALARMS.stream(), ENDINGS.stream()).toArray(String[]::new);
    }

    boolean alarm() {
        return ALARMS.contains(channel);
    }

    boolean ending() {
        return ENDINGS.contains(channel);
    }

    /** Whether it is about this master (epoch-only messages are: there is one). */
    boolean concerns(String master) {
        if (channel.equals("+switch-master")) {
            return words.get(0).equals(master);
        }
        if (words.get(0).equals("master")) {
            return words.size() > 1 && words.get(1).equals(master);
        }
        int at = words.indexOf("@");
        return at < 0 || at + 1 >= words.size() || words.get(at + 1).equals(master);
    }

    /**
     * The epoch of the attempt that +vote-for-leader ("LEADER EPOCH") votes for, or that +new-epoch ("EPOCH")
     * announces, else 0. A Sentinel announces a new epoch when it starts an attempt, votes in one, or learns of
     * one from its peers: an attempt at that epoch may be under way, or long over.
     */
    long epoch() {
        int at = channel.equals("+vote-for-leader") ? 1 : channel.equals("+new-epoch") ? 0 : -1;
        if (at < 0 || words.size() <= at) {
            return 0;
        }
        try {
            return Long.parseLong(words.get(at));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The Sentinel a +vote-for-leader votes for, by its id (SENTINEL MYID). */
    String leader() {
        return words.get(0);
    }

    @Override
    public String toString() {
        return channel + " " + message;
    }
}
