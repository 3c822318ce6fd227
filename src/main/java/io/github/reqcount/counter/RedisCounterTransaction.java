package io.github.reqcount.counter;

import java.util.List;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** MULTI, INCRBY total_count n, EXEC: pipelined, so the three leave together in one round trip. */
public class RedisCounterTransaction implements CounterTransaction {

    public static final String TOTAL_KEY = "total_count";

    private final StringRedisTemplate redis;

    public RedisCounterTransaction(StringRedisTemplate redis) {
        this.redis = redis;
    }

    @Override
    public long add(int n) {
        List<Object> replies = redis.executePipelined(new SessionCallback<Object>() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> Object execute(RedisOperations<K, V> operations) throws DataAccessException {
                var ops = (RedisOperations<String, String>) operations;
                ops.multi();
                ops.opsForValue().increment(TOTAL_KEY, n);
                ops.exec();
                return null;
            }
        });
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
