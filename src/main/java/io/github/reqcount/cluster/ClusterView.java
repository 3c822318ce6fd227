package io.github.reqcount.cluster;

import static io.github.reqcount.counter.RedisCounterTransaction.REPLICA_COUNTS_KEY;
import static io.github.reqcount.counter.RedisCounterTransaction.TOTAL_KEY;

import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.StringSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Reads the cluster's counts and heartbeats. It counts nothing. */
@Component
public class ClusterView {

    private final StringRedisTemplate redis;
    private final ClusterCounter counter;

    public ClusterView(StringRedisTemplate redis, ClusterCounter counter) {
        this.redis = redis;
        this.counter = counter;
    }

    /** Throws a DataAccessException when Redis does not answer. */
    public ClusterSnapshot read() {
        // The total and the replicas' fields come from one MULTI/EXEC, so they are read at one instant.
        List<Object> counts = redis.execute(StringSession.of(ops -> {
            ops.multi();
            ops.opsForValue().get(TOTAL_KEY);
            ops.opsForHash().entries(REPLICA_COUNTS_KEY);
            ops.opsForHash().entries(ReplicaHeartbeat.SEEN_KEY);
            return ops.exec();
        }));
        long total = number(counts.get(0));
        Map<?, ?> requests = (Map<?, ?>) counts.get(1);
        Map<?, ?> seen = (Map<?, ?>) counts.get(2);

        var names = new TreeSet<String>();
        requests.keySet().forEach(name -> names.add((String) name));
        seen.keySet().forEach(name -> names.add((String) name));
        List<String> order = List.copyOf(names);
        List<String> alive = order.isEmpty() ? List.of()
                : redis.opsForValue().multiGet(order.stream().map(ReplicaHeartbeat::aliveKey).toList());

        long attributed = 0;
        var replicas = new ArrayList<ClusterSnapshot.Replica>(order.size());
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            long served = number(requests.get(name));
            Instant lastSeen = seen.get(name) == null ? null : Instant.ofEpochMilli(number(seen.get(name)));
            attributed += served;
            replicas.add(new ClusterSnapshot.Replica(name, served, alive.get(i) != null, lastSeen));
        }
        counter.observedTotal(total);
        return new ClusterSnapshot(total, List.copyOf(replicas), total - attributed, total == attributed);
    }

    /** A Redis string holding a number; a missing one is 0. */
    private static long number(Object value) {
        return value == null ? 0 : Long.parseLong((String) value);
    }
}
