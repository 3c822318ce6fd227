package io.github.reqcount.cluster;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.redis.StringSession;
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

    public ClusterView(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /**
     * Throws a DataAccessException when Redis does not answer. One read at a time: its MULTI/EXEC borrows a
     * connection of its own, and the Redis pool keeps exactly one for it beside the group commit's (RedisConfig), so
     * however many ask for /cluster, a transaction never waits for a connection that a read took.
     */
    public synchronized ClusterSnapshot read() {
        // The total and the replicas' fields come from one MULTI/EXEC, so they are read at one instant.
        List<Object> counts = redis.execute(StringSession.of(ops -> {
            ops.multi();
            ops.opsForValue().get(RedisKeys.TOTAL);
            ops.opsForHash().entries(RedisKeys.REPLICA_COUNTS);
            ops.opsForHash().entries(RedisKeys.REPLICA_SEEN);
            ops.opsForValue().get(RedisKeys.RETIRED);
            return ops.exec();
        }));
        long total = number(counts.get(0));
        Map<?, ?> requests = (Map<?, ?>) counts.get(1);
        Map<?, ?> seen = (Map<?, ?>) counts.get(2);
        long retired = number(counts.get(3));

        var names = new TreeSet<String>();
        requests.keySet().forEach(name -> names.add((String) name));
        seen.keySet().forEach(name -> names.add((String) name));
        List<String> order = List.copyOf(names);
        List<String> alive = order.isEmpty() ? List.of()
                : redis.opsForValue().multiGet(order.stream().map(RedisKeys::alive).toList());

        long attributed = 0;
        var replicas = new ArrayList<ClusterSnapshot.Replica>(order.size());
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            long served = number(requests.get(name));
            Instant lastSeen = seen.get(name) == null ? null : Instant.ofEpochMilli(number(seen.get(name)));
            attributed += served;
            replicas.add(new ClusterSnapshot.Replica(name, served, alive.get(i) != null, lastSeen));
        }
        long unattributed = total - attributed - retired;
        return new ClusterSnapshot(total, List.copyOf(replicas), retired, unattributed, unattributed == 0);
    }

    /** A Redis string holding a number; a missing one is 0. */
    private static long number(Object value) {
        return value == null ? 0 : Long.parseLong((String) value);
    }
}
