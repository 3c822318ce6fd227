package io.github.reqcount.counter;

import io.github.reqcount.redis.PrimaryGuard;
import io.github.reqcount.redis.PrimaryGuard.Primary;
import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.redis.StringSession;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.protocol.CommandExpiryWriter;
import io.lettuce.core.protocol.DefaultEndpoint;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * <p>Network faults add two rules, checked with the {@link PrimaryGuard}:
 * <ul>
 * <li>a batch goes only to the primary the guard trusts, and is refused if a failover was announced while it was
 *     in flight. Each connection is checked once, before its first batch (and again after every reconnect or new
 *     primary): INFO's run_id must be the trusted primary's. A connection that leads elsewhere (to a deposed primary
 *     that a short cut left connected) is closed, so the pool replaces it with one that asks the Sentinels;</li>
 * <li>on a Redis this instance has not counted on before, the first batch also adds the difference between the
 *     highest number this instance has handed out and that Redis's total, when the total is lower: numbers that a
 *     deposed primary acknowledged and then discarded are skipped, not handed out again, by this instance.</li>
 * </ul>
 */
public class RedisCounterTransaction implements CounterTransaction {

    private static final Logger log = LoggerFactory.getLogger(RedisCounterTransaction.class);
    private static final byte[] TOTAL = RedisKeys.TOTAL.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate redis;
    private final String replica;
    private final int ackReplicas;
    private final long ackTimeoutMillis;
    private final PrimaryGuard guard;
    private final Runnable onWrongServer;

    /** The primary each connection was last checked against; a reconnect removes its entry. */
    private final Map<Object, Primary> checked = Collections.synchronizedMap(new WeakHashMap<>());
    /** The run_ids of every Redis this instance has counted on. */
    private final Set<String> counted = ConcurrentHashMap.newKeySet();
    /** The highest cluster number this instance has handed out. */
    private final AtomicLong highest = new AtomicLong();

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
        this.guard = guard;
        this.onWrongServer = onWrongServer;
    }

    @Override
    public long add(int n) {
        Primary primary = guard.current();
        // One session: the check and the batch go over the same connection.
        return redis.execute(StringSession.of(session -> add(session, n, primary)));
    }

    private long add(RedisOperations<String, String> session, int n, Primary primary) {
        var connection = new AtomicReference<RedisAsyncCommands<byte[], byte[]>>();
        // INFO and GET only on a connection not yet checked for this primary; Spring awaits them as any pipeline.
        List<Object> check = session.executePipelined(StringSession.of(ops -> ops.execute((RedisCallback<Object>) c -> {
            @SuppressWarnings("unchecked")
            var commands = (RedisAsyncCommands<byte[], byte[]>) c.getNativeConnection();
            connection.set(commands);
            if (!primary.equals(checked.get(commands))) {
                c.serverCommands().info("server");
                c.stringCommands().get(TOTAL);
            }
            return null;
        })));
        String runId = null;
        long skip = 0;
        if (!check.isEmpty()) {
            runId = ((Properties) check.get(0)).getProperty("run_id");
            if (runId == null) {
                throw new IllegalStateException("INFO server gave no run_id");
            }
            if (primary.runId() != null && !primary.runId().equals(runId)) {
                reconnect(connection.get().getStatefulConnection());
                onWrongServer.run();
                throw new IllegalStateException("This connection leads to the Redis with run_id " + runId
                        + ", not to the primary the Sentinels name (run_id " + primary.runId() + "): reconnecting");
            }
            if (!counted.contains(runId)) {
                skip = Math.max(0, highest.get() - (check.get(1) == null ? 0 : Long.parseLong((String) check.get(1))));
            }
        }

        long last = count(session, n + skip);
        if (!guard.unchanged(primary)) {
            throw new IllegalStateException("A failover was announced while the total " + last
                    + " was in flight; its numbers stay unused");
        }
        if (runId != null) {
            remember(connection.get(), primary, runId);
        }
        if (skip > 0) {
            log.atWarn().addKeyValue("event.action", "counter.skip").addKeyValue("skipped", skip)
                    .addKeyValue("run_id", runId).addKeyValue("total", last)
                    .log("Redis {} held a total below the highest number this instance handed out: {} numbers up to {}"
                            + " skipped, so none is handed out again", runId, skip, last - n);
        }
        highest.accumulateAndGet(last, Math::max);
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

    /**
     * Drops the connection's socket but keeps the connection: Lettuce reconnects it at once, and a reconnect asks the
     * Sentinels where the primary is. (Closing it would leave a dead connection in the pool.)
     */
    private static void reconnect(StatefulRedisConnection<?, ?> connection) {
        RedisChannelWriter writer = ((RedisChannelHandler<?, ?>) connection).getChannelWriter();
        while (writer instanceof CommandExpiryWriter expiry) {
            writer = expiry.getDelegate();
        }
        if (!(writer instanceof DefaultEndpoint endpoint)) {
            throw new IllegalStateException("Cannot reconnect a Lettuce connection written through " + writer);
        }
        endpoint.disconnect();
    }

    /** Marks the connection as checked for this primary, until it reconnects. */
    private void remember(RedisAsyncCommands<byte[], byte[]> connection, Primary primary, String runId) {
        counted.add(runId);
        if (checked.put(connection, primary) == null) {
            connection.getStatefulConnection().addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                    checked.remove(connection);
                }
            });
        }
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
