package io.github.reqcount.redis;

import static io.github.reqcount.redis.SentinelWatch.LIVE;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run_id of the primary the Sentinels agree on, which the counter checks every connection against
 * ({@link PrimaryFence}). Asked of that primary itself, once per address and again after a connection led elsewhere
 * (a Sentinel learns it only at its next INFO, seconds after a failover). Every field is confined to the watch's
 * thread: the answer is handed over to it ({@code thread}).
 */
final class PrimaryRunId {

    private static final Logger log = LoggerFactory.getLogger(PrimaryRunId.class);

    private final RedisClient client;
    /** How to log in to a Redis (its user and password); the host and port are the primary's. */
    private final RedisURI login;
    private final Executor thread;
    private final Runnable answered;

    /** The primary last asked (its address), and its answer. */
    private String address, runId;
    private boolean asking, recheck;

    /**
     * @param thread   the watch's thread, where the answer is handled
     * @param answered told when a primary has given its run_id
     */
    PrimaryRunId(RedisClient client, RedisURI login, Executor thread, Runnable answered) {
        this.client = client;
        this.login = login;
        this.thread = thread;
        this.answered = answered;
    }

    /** The run_id of the primary at this address ("host:port"); null while the answer is awaited. */
    String of(String primary) {
        if (primary.equals(address) && runId != null && !recheck) {
            return runId;
        }
        if (!asking) {
            asking = true;
            recheck = false;
            int colon = primary.lastIndexOf(':');
            RedisURI uri = RedisURI.builder(login).withHost(primary.substring(0, colon))
                    .withPort(Integer.parseInt(primary.substring(colon + 1))).build();
            client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                    .thenCompose(c -> c.async().info("server").whenComplete((i, f) -> c.closeAsync()))
                    .orTimeout(LIVE.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((info, failure) -> thread.execute(() -> answer(primary, info, failure)));
        }
        return null;
    }

    /** A connection led to a Redis that is not the trusted primary: ask the primary again. */
    void recheck() {
        recheck = true;
    }

    private void answer(String primary, String info, Throwable failure) {
        asking = false;
        if (failure != null) {
            log.debug("The primary {} did not give its run_id: {}", primary, failure.toString());
            return;
        }
        address = primary;
        runId = info.lines().filter(l -> l.startsWith("run_id:")).map(l -> l.substring(7).trim())
                .findFirst().orElse(null);
        answered.run();
    }
}
