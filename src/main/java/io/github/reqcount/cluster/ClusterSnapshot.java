package io.github.reqcount.cluster;

import java.time.Instant;
import java.util.List;

/**
 * The cluster as Redis saw it at one moment. {@code unattributed} is the part of the total that no replica's
 * field accounts for (counts from before per-replica tracking); it is shown, never spread over the replicas.
 */
public record ClusterSnapshot(long total, List<Replica> replicas, long unattributed, boolean consistent) {

    /** One replica: what it has counted, whether its heartbeat is current, and when it last beat. */
    public record Replica(String name, long requests, boolean live, Instant lastSeen) {
    }
}
