package io.github.reqcount.cluster;

import java.time.Instant;
import java.util.List;

/**
 * The cluster as Redis saw it at one moment. {@code retired} is what the replicas gone for longer than RETIRE_AFTER
 * counted, folded into one figure (see ReplicaRetirement). {@code unattributed} is the part of the total that
 * neither a replica's field nor {@code retired} accounts for (counts from before per-replica tracking); it is
 * shown, never spread over the replicas. {@code consistent}: the replicas plus {@code retired} add up to the total.
 */
public record ClusterSnapshot(long total, List<Replica> replicas, long retired, long unattributed, boolean consistent) {

    /** One replica: what it has counted, whether its heartbeat is current, and when it last beat. */
    public record Replica(String name, long requests, boolean live, Instant lastSeen) {
    }
}
