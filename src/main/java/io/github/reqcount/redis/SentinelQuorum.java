package io.github.reqcount.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rule that decides, from what the Sentinels say, whether there is a primary the counter may trust. Pure: the
 * inputs are the latest report of each Sentinel that is reachable now, and the last failover attempt heard of.
 *
 * <p>A primary is trusted only when all of these hold:
 * <ol>
 * <li>a majority of all the Sentinels is reachable, with live event subscriptions (a failover needs a majority of
 *     the Sentinels to vote, so at least one of those the service hears from takes part in any failover and
 *     announces it before a replica is promoted);</li>
 * <li>a majority of all the Sentinels name the same primary with nothing else flagged;</li>
 * <li>no reachable Sentinel flags it down or has a failover in progress;</li>
 * <li>the last failover attempt heard of has ended: its epoch is in the configuration the majority reports, or its
 *     candidate announced the end or the abort, or answers without a failover in progress, or every Sentinel
 *     answers without one (an attempt's candidate flags it from the start), or the attempt is older than twice the
 *     failover timeout (Sentinel gives up a failover after one timeout, and waits two before trying again). A
 *     majority that names the old primary is not enough: a Sentinel that voted reports the old primary again, with
 *     nothing flagged, once it answers, while the candidate it voted for promotes a replica.</li>
 * </ol>
 */
public final class SentinelQuorum {

    private SentinelQuorum() {
    }

    /** What one Sentinel reported for the master (SENTINEL MASTER), or why it could not. */
    public record Report(String address, String runId, String flags, long configEpoch, Duration failoverTimeout,
            String sentinel, String problem) {

        /** A SENTINEL MASTER answer, from the Sentinel whose id (SENTINEL MYID) is given, if known. */
        public static Report of(Map<String, String> master, String sentinel) {
            return new Report(master.get("ip") + ":" + master.get("port"), master.getOrDefault("runid", ""),
                    master.getOrDefault("flags", ""), Long.parseLong(master.getOrDefault("config-epoch", "0")),
                    Duration.ofMillis(Long.parseLong(master.getOrDefault("failover-timeout", "10000"))), sentinel,
                    null);
        }

        public static Report failed(String problem) {
            return new Report(null, null, null, 0, Duration.ZERO, null, problem);
        }

        /** For the logs: "host:port run_id-prefix flags epoch N". */
        String summary() {
            return problem != null ? problem : address + " " + (runId.isEmpty() ? "(no run_id)" : runId.substring(0,
                    Math.min(8, runId.length()))) + " " + flags + " epoch " + configEpoch;
        }

        /** Names it as the master with nothing flagged; a link to it that is reconnecting ("disconnected") is no flag. */
        boolean vouches() {
            return problem == null && ("master".equals(flags) || "master,disconnected".equals(flags));
        }

        boolean alarmed() {
            return problem == null && (flags.contains("o_down") || flags.contains("failover_in_progress"));
        }
    }

    /**
     * The last failover attempt heard of: its epoch and its candidate's id (from a vote; 0 and null when only other
     * events were heard), when, and whether its end was announced.
     */
    public record Attempt(long epoch, long atNanos, boolean ended, String leader) {
    }

    /** The primary to trust, or null with the reason there is none. */
    public record Verdict(String address, long configEpoch, String reason) {
        public boolean trusted() {
            return reason == null;
        }

        static Verdict none(String reason) {
            return new Verdict(null, 0, reason);
        }
    }

    public static Verdict decide(String master, int sentinels, List<Report> reachable, Attempt attempt, long nowNanos) {
        int majority = sentinels / 2 + 1;
        if (reachable.size() < majority) {
            return Verdict.none("only " + reachable.size() + " of " + sentinels + " Sentinels answer, "
                    + majority + " are needed");
        }
        Map<String, List<Report>> named = new HashMap<>();
        Duration failoverTimeout = Duration.ZERO;
        List<String> problems = new ArrayList<>();
        for (Report report : reachable) {
            if (report.problem() != null) {
                problems.add(report.problem());
                continue;
            }
            if (report.alarmed()) {
                return Verdict.none("a failover of " + master + " may be under way (a Sentinel flags " + report.flags() + ")");
            }
            if (report.vouches()) {
                named.computeIfAbsent(report.address(), k -> new ArrayList<>()).add(report);
            }
            failoverTimeout = failoverTimeout.compareTo(report.failoverTimeout()) > 0 ? failoverTimeout : report.failoverTimeout();
        }
        List<Report> agreed = named.values().stream().filter(r -> r.size() >= majority).findFirst().orElse(null);
        if (agreed == null) {
            return Verdict.none(problems.isEmpty() ? "no " + majority + " Sentinels agree on a primary for " + master
                    + " " + reachable.stream().map(Report::summary).toList()
                    : "the Sentinels do not name a primary for " + master + ": " + problems.get(0));
        }
        long configEpoch = agreed.stream().mapToLong(Report::configEpoch).max().orElse(0);
        // Its candidate, reachable and (rule 3) not failing over, has given the attempt up or finished it.
        boolean leaderIdle = attempt != null && attempt.leader() != null
                && reachable.stream().anyMatch(r -> attempt.leader().equals(r.sentinel()));
        // Every Sentinel answers, none failing over (rule 3): whoever the candidate was, it is not running one.
        boolean allIdle = reachable.size() == sentinels && problems.isEmpty();
        if (attempt != null && !attempt.ended() && !leaderIdle && !allIdle && attempt.epoch() > configEpoch
                && nowNanos - attempt.atNanos() < failoverTimeout.multipliedBy(2).toNanos()) {
            return Verdict.none("a failover of " + master + " (epoch " + attempt.epoch() + ") has not ended");
        }
        Report primary = agreed.get(0);
        return new Verdict(primary.address(), configEpoch, null);
    }
}
