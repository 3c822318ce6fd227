package io.github.reqcount.counter;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.redis.StringSession;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * MULTI, INCRBY total_count n, HINCRBY replica_counts &lt;replica&gt; n, EXEC: pipelined, so all four leave in one
 * round trip, and atomic, so the replicas' fields always add up to the total that they have counted.
 */
public class RedisCounterTransaction implements CounterTransaction {

    private final StringRedisTemplate redis;
    private final String replica;

    public RedisCounterTransaction(StringRedisTemplate redis, String replica) {
        this.redis = redis;
        this.replica = replica;
    }

    @Override
    public long add(int n) {
        List<Object> replies = redis.executePipelined(StringSession.of(ops -> {
            ops.multi();
            ops.opsForValue().increment(RedisKeys.TOTAL, n);
            ops.opsForHash().increment(RedisKeys.REPLICA_COUNTS, replica, n);
            ops.exec();
            return null;
        }));
        return total(replies);
    }

    private static long total(List<Object> replies) {
        Object exec = replies.get(replies.size() - 1);
        if (exec instanceof List<?> results && !results.isEmpty() && results.get(0) instanceof Long total) {
            return total;
        }
        throw new IllegalStateException("Redis did not confirm the transaction: " + replies);
    }
}
