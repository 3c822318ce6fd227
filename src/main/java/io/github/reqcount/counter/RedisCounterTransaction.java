package io.github.reqcount.counter;

import io.github.reqcount.redis.PrimaryFence;
import io.github.reqcount.redis.PrimaryFence.Check;
import io.github.reqcount.redis.PrimaryGuard;
import io.github.reqcount.redis.PrimaryGuard.Primary;
import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.redis.StringSession;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * MULTI, INCRBY total_count n, HINCRBY replica_counts &lt;replica&gt; n, EXEC: pipelined, so all four leave in one
 * round trip, and atomic, so the replicas' fields always add up to the total that they have counted.
 *
 * <p>With ackReplicas above 0 (Redis replicated under Sentinel), WAIT follows EXEC in the same round trip, and the
 * new total counts as confirmed only once that many replicas hold it: a primary that dies afterwards can't take
 * those numbers with it, so the replica promoted in its place never hands them out again. When WAIT falls short
 * the increment stays applied on the primary but the batch is refused: its numbers become a gap, never a repeat.
 *
 * <p>Which Redis a batch may go to, and the numbers to skip on a Redis new to this instance, are the
 * {@link PrimaryFence}'s rules; this class only sends what they ask for.
 */
public class RedisCounterTransaction implements CounterTransaction {

    private static final byte[] TOTAL = RedisKeys.TOTAL.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate redis;
    private final String replica;
    private final int ackReplicas;
    private final long ackTimeoutMillis;
    private final PrimaryFence fence;

    /**
     * @param guard         which primary to count on ({@link PrimaryGuard#ANY} for one Redis)
     * @param onWrongServer called when a connection led to a Redis other than the trusted primary, to reset the
     *                      connection that plain commands share
     */
    public RedisCounterTransaction(StringRedisTemplate redis, String replica, int ackReplicas, Duration ackTimeout,
            PrimaryGuard guard, Runnable onWrongServer) {
        this.redis = redis;
        this.replica = replica;
        this.ackReplicas = ackReplicas;
        this.ackTimeoutMillis = ackTimeout.toMillis();
        this.fence = new PrimaryFence(guard, onWrongServer);
    }

    @Override
    public long add(int n) {
        Primary primary = fence.current();
        // One session: the check and the batch go over the same connection.
        return redis.execute(StringSession.of(session -> add(session, n, primary)));
    }

    private long add(RedisOperations<String, String> session, int n, Primary primary) {
        var connection = new AtomicReference<StatefulConnection<byte[], byte[]>>();
        // INFO and GET only on a connection not yet checked for this primary; Spring awaits them as any pipeline.
        List<Object> replies = session.executePipelined(StringSession.of(ops -> ops.execute((RedisCallback<Object>) c -> {
            @SuppressWarnings("unchecked")
            var commands = (RedisAsyncCommands<byte[], byte[]>) c.getNativeConnection();
            connection.set(commands.getStatefulConnection());
            if (fence.needsCheck(connection.get(), primary)) {
                c.serverCommands().info("server");
                c.stringCommands().get(TOTAL);
            }
            return null;
        })));
        Check check = replies.isEmpty() ? null
                : fence.check(connection.get(), primary, (Properties) replies.get(0), (String) replies.get(1));
        long last = count(session, n + (check == null ? 0 : check.skip()));
        fence.counted(connection.get(), primary, check, last, n);
        return last;
    }

    /** The transaction itself, and WAIT after it; returns the new total. */
    private long count(RedisOperations<String, String> session, long n) {
        var wait = new AtomicReference<RedisFuture<Long>>();
        List<Object> replies = session.executePipelined(StringSession.of(ops -> {
            ops.multi();
            ops.opsForValue().increment(RedisKeys.TOTAL, n);
            ops.opsForHash().increment(RedisKeys.REPLICA_COUNTS, replica, n);
            ops.exec();
            if (ackReplicas > 0) {
                // Spring's generic execute() reads WAIT's integer reply as bytes and fails, so WAIT goes through
                // Lettuce on the same connection; it leaves in the same write as EXEC when the pipeline flushes.
                wait.set(ops.execute((RedisCallback<RedisFuture<Long>>) connection ->
                        ((RedisAsyncCommands<?, ?>) connection.getNativeConnection())
                                .waitForReplication(ackReplicas, ackTimeoutMillis)));
            }
            return null;
        }));
        long total = total(replies);
        if (wait.get() != null) {
            long acked = await(wait.get(), "WAIT");
            if (acked < ackReplicas) {
                throw new IllegalStateException("Only " + acked + " of " + ackReplicas + " replicas confirmed the total "
                        + total + " within " + ackTimeoutMillis + " ms; its numbers stay unused");
            }
        }
        return total;
    }

    private <T> T await(RedisFuture<T> reply, String command) {
        try {
            // WAIT answers by its own timeout; the margin only guards against a reply that never comes.
            return reply.get(ackTimeoutMillis + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(command + " failed: " + e, e);
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
