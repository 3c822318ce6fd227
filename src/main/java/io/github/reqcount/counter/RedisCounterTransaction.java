package io.github.reqcount.counter;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.redis.StringSession;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.BaseRedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * MULTI, INCRBY total_count n, HINCRBY replica_counts &lt;replica&gt; n, EXEC: pipelined, so all four leave in one
 * round trip, and atomic, so the replicas' fields always add up to the total that they have counted.
 *
 * <p>With ackReplicas above 0 (Redis replicated under Sentinel), WAIT follows EXEC in the same round trip, and the
 * new total counts as confirmed only once that many replicas hold it: a primary that dies afterwards can't take
 * those numbers with it, so the replica promoted in its place never hands them out again. When WAIT falls short
 * the increment stays applied on the primary but the batch is refused: its numbers become a gap, never a repeat.
 */
public class RedisCounterTransaction implements CounterTransaction {

    private final StringRedisTemplate redis;
    private final String replica;
    private final int ackReplicas;
    private final long ackTimeoutMillis;

    public RedisCounterTransaction(StringRedisTemplate redis, String replica) {
        this(redis, replica, 0, Duration.ZERO);
    }

    public RedisCounterTransaction(StringRedisTemplate redis, String replica, int ackReplicas, Duration ackTimeout) {
        this.redis = redis;
        this.replica = replica;
        this.ackReplicas = ackReplicas;
        this.ackTimeoutMillis = ackTimeout.toMillis();
    }

    @Override
    public long add(int n) {
        var wait = new AtomicReference<RedisFuture<Long>>();
        List<Object> replies = redis.executePipelined(StringSession.of(ops -> {
            ops.multi();
            ops.opsForValue().increment(RedisKeys.TOTAL, n);
            ops.opsForHash().increment(RedisKeys.REPLICA_COUNTS, replica, n);
            ops.exec();
            if (ackReplicas > 0) {
                // Spring's generic execute() reads WAIT's integer reply as bytes and fails, so WAIT goes through
                // Lettuce on the same connection; it leaves in the same write as EXEC when the pipeline flushes.
                wait.set(ops.execute((RedisCallback<RedisFuture<Long>>) connection ->
                        ((BaseRedisAsyncCommands<?, ?>) connection.getNativeConnection())
                                .waitForReplication(ackReplicas, ackTimeoutMillis)));
            }
            return null;
        }));
        long total = total(replies);
        if (wait.get() != null) {
            long acked = acked(wait.get());
            if (acked < ackReplicas) {
                throw new IllegalStateException("Only " + acked + " of " + ackReplicas + " replicas confirmed the total "
                        + total + " within " + ackTimeoutMillis + " ms; its numbers stay unused");
            }
        }
        return total;
    }

    private long acked(RedisFuture<Long> wait) {
        try {
            // WAIT answers by its own timeout; the margin only guards against a reply that never comes.
            return wait.get(ackTimeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("WAIT failed after the total was applied: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long total(List<Object> replies) {
        Object exec = replies.get(replies.size() - 1);
        if (exec instanceof List<?> results && !results.isEmpty() && results.get(0) instanceof Long total) {
            return total;
        }
        throw new IllegalStateException("Redis did not confirm the transaction: " + replies);
    }
}
