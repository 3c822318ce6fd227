package io.github.reqcount.redis;

import io.github.reqcount.redis.PrimaryGuard.Primary;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The counter's rules against a deposed primary, on top of the {@link PrimaryGuard}'s choice of primary:
 * <ul>
 * <li>a batch goes only to the primary the guard trusts, and is refused if a failover was announced while it was
 *     in flight. Each connection is checked once, before its first batch (and again after every reconnect or new
 *     primary): INFO's run_id must be the trusted primary's. A connection that leads elsewhere (to a deposed primary
 *     that a short cut left connected) is closed; the pool validates what is returned to it (RedisConfig), so it
 *     drops that connection and opens a new one, which asks the Sentinels;</li>
 * <li>on a Redis this instance has not counted on before, the first batch also adds the difference between the
 *     highest number this instance has handed out and that Redis's total, when the total is lower: numbers that a
 *     deposed primary acknowledged and then discarded are skipped, not handed out again, by this instance.</li>
 * </ul>
 * Thread-safe: the counter's transactions call it from several threads at once.
 */
public class PrimaryFence {

    private static final Logger log = LoggerFactory.getLogger(PrimaryFence.class);

    private final PrimaryGuard guard;
    private final Runnable onWrongServer;

    /** The primary each connection was last checked against; a reconnect removes its entry. */
    private final Map<StatefulConnection<?, ?>, Primary> checked = Collections.synchronizedMap(new WeakHashMap<>());
    /** The run_ids of every Redis this instance has counted on. */
    private final Set<String> counted = ConcurrentHashMap.newKeySet();
    /** The highest cluster number this instance has handed out. */
    private final AtomicLong highest = new AtomicLong();

    /**
     * @param guard         which primary to count on ({@link PrimaryGuard#ANY} for one Redis)
     * @param onWrongServer called when a connection led to a Redis other than the trusted primary, to reset the
     *                      connection that plain commands share
     */
    public PrimaryFence(PrimaryGuard guard, Runnable onWrongServer) {
        this.guard = guard;
        this.onWrongServer = onWrongServer;
    }

    /** What a connection's check found: the Redis it leads to, and how many numbers its first batch skips. */
    public record Check(String runId, long skip) {
    }

    /** The primary to count on now; throws {@link PrimaryGuard.NoPrimaryException} when there is none to trust. */
    public Primary current() {
        return guard.current();
    }

    /** Whether the connection must be checked (INFO server, GET total) before it counts on this primary. */
    public boolean needsCheck(StatefulConnection<?, ?> connection, Primary primary) {
        return !primary.equals(checked.get(connection));
    }

    /**
     * The check's verdict from INFO server and the total on the connection's Redis. A connection that leads to
     * another Redis than the trusted primary is closed, and the batch refused.
     */
    public Check check(StatefulConnection<?, ?> connection, Primary primary, Properties info, String total) {
        String runId = info.getProperty("run_id");
        if (runId == null) {
            throw new IllegalStateException("INFO server gave no run_id");
        }
        if (primary.runId() != null && !primary.runId().equals(runId)) {
            connection.close();
            onWrongServer.run();
            throw new IllegalStateException("This connection leads to the Redis with run_id " + runId
                    + ", not to the primary the Sentinels name (run_id " + primary.runId() + "): reconnecting");
        }
        long skip = counted.contains(runId) ? 0 : Math.max(0, highest.get() - (total == null ? 0 : Long.parseLong(total)));
        return new Check(runId, skip);
    }

    /**
     * A batch of {@code n} numbers (after a skip, if the check asked for one) reached the new total {@code last}:
     * refused if a failover was announced meanwhile, else its connection counts as checked and its numbers as
     * handed out.
     */
    public void counted(StatefulConnection<?, ?> connection, Primary primary, Check check, long last, int n) {
        if (!guard.unchanged(primary)) {
            throw new IllegalStateException("A failover was announced while the total " + last
                    + " was in flight; its numbers stay unused");
        }
        if (check != null) {
            remember(connection, primary, check.runId());
            if (check.skip() > 0) {
                log.atWarn().addKeyValue("event.action", "counter.skip").addKeyValue("skipped", check.skip())
                        .addKeyValue("run_id", check.runId()).addKeyValue("total", last)
                        .log("Redis {} held a total below the highest number this instance handed out: {} numbers up"
                                + " to {} skipped, so none is handed out again", check.runId(), check.skip(), last - n);
            }
        }
        highest.accumulateAndGet(last, Math::max);
    }

    /** Marks the connection as checked for this primary, until it reconnects. */
    private void remember(StatefulConnection<?, ?> connection, Primary primary, String runId) {
        counted.add(runId);
        if (checked.put(connection, primary) == null) {
            connection.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                    checked.remove(connection);
                }
            });
        }
    }
}
