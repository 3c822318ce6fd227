package io.github.reqcount.redis;

/** Every key the service keeps in Redis: the counter writes them, the cluster view reads them. */
public final class RedisKeys {

    /** The original service's key; its value is the cluster total. */
    public static final String TOTAL = "total_count";
    /** A hash from replica name to the requests it has counted, moved in the same transaction as the total. */
    public static final String REPLICA_COUNTS = "replica_counts";
    /** A hash from replica name to the time (epoch millis) it last beat. */
    public static final String REPLICA_SEEN = "replica_seen";
    /** The requests of every replica gone for longer than RETIRE_AFTER, folded out of the two hashes above. */
    public static final String RETIRED = "retired_count";

    private RedisKeys() {
    }

    /** A key that exists while the replica's heartbeat is current: it expires one TTL after the last beat. */
    public static String alive(String replica) {
        return "replica_alive:" + replica;
    }
}
