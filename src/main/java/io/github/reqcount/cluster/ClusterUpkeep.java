package io.github.reqcount.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Runs on the heartbeat's schedule: reads the cluster once, publishes whether it adds up
 * (reqcount_cluster_consistent), and folds at most a few replicas gone for longer than RETIRE_AFTER, so that
 * /cluster, the dashboard and the heartbeat's MGET stay bounded however many names come and go. Every replica
 * runs it; ReplicaRetirement makes folds that race harmless.
 */
public class ClusterUpkeep {

    /** Folds per run: a backlog after a long churn drains over a few runs instead of in one burst. */
    static final int MAX_FOLDS_PER_RUN = 16;

    private static final Logger log = LoggerFactory.getLogger(ClusterUpkeep.class);

    private final ClusterView view;
    private final ReplicaRetirement retirement;
    private final Duration retireAfter;
    // 1 or 0 from the last read; NaN until a read succeeds and while Redis does not answer.
    private volatile double consistent = Double.NaN;

    public ClusterUpkeep(ClusterView view, ReplicaRetirement retirement, Duration retireAfter, MeterRegistry meters) {
        this.view = view;
        this.retirement = retirement;
        this.retireAfter = retireAfter;
        Gauge.builder("reqcount.cluster.consistent", this, upkeep -> upkeep.consistent)
                .description("1 when the replicas' counts plus retired add up to the cluster total, as /cluster "
                        + "reports consistent; 0 when they do not; NaN when Redis did not answer")
                .register(meters);
    }

    public void run() {
        ClusterSnapshot snapshot;
        try {
            snapshot = view.read();
        } catch (DataAccessException e) {
            consistent = Double.NaN;
            log.atDebug().addKeyValue("event.action", "cluster.upkeep.failed").addKeyValue("error", e.toString())
                    .log("Cluster upkeep skipped: {}", e.toString());
            return;
        }
        consistent = snapshot.consistent() ? 1 : 0;

        long cutoff = System.currentTimeMillis() - retireAfter.toMillis();
        snapshot.replicas().stream()
                .filter(r -> !r.live() && r.lastSeen() != null && r.lastSeen().toEpochMilli() < cutoff)
                .limit(MAX_FOLDS_PER_RUN)
                .forEach(r -> fold(r, cutoff));
    }

    private void fold(ClusterSnapshot.Replica replica, long cutoff) {
        try {
            long moved = retirement.retire(replica.name(), cutoff);
            if (moved >= 0) {
                log.atInfo().addKeyValue("event.action", "cluster.replica.retired").addKeyValue("retired_name", replica.name())
                        .addKeyValue("requests", moved).addKeyValue("last_seen", replica.lastSeen().toString())
                        .log("Retired {}, gone since {}: its {} requests now count as retired", replica.name(),
                                replica.lastSeen(), moved);
            }
        } catch (DataAccessException e) {
            log.atDebug().addKeyValue("event.action", "cluster.upkeep.failed").addKeyValue("error", e.toString())
                    .log("Could not retire {}: {}", replica.name(), e.toString());
        }
    }
}
