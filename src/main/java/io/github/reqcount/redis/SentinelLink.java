package io.github.reqcount.redis;

import static io.github.reqcount.redis.SentinelWatch.LIVE;
import static io.github.reqcount.redis.SentinelWatch.SILENT;

import io.github.reqcount.redis.SentinelQuorum.Report;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Sentinel, as the watch hears it: a subscription to its failover events, a connection for questions, and what
 * it last said. Every field is confined to the watch's thread: {@link #tick} runs there, and Lettuce's callbacks
 * only hand what they got over to it ({@code thread}).
 */
final class SentinelLink {

    private static final Logger log = LoggerFactory.getLogger(SentinelLink.class);

    /** The subscription and the connection for questions, made together. */
    private record Connections(StatefulRedisPubSubConnection<String, String> events,
            StatefulRedisSentinelConnection<String, String> queries) {
        void close() {
            events.closeAsync();
            queries.closeAsync();
        }
    }

    private final RedisClient client;
    private final RedisURI uri;
    private final String master;
    private final Executor thread;
    private final Consumer<SentinelEvent> heard;
    private final Runnable answered;

    private Connections open;
    private boolean connecting, pinging, asking, subscribed;
    /** nanoTime of: the next connect after a failed one, the last connect, the PING and the question in flight. */
    private long retryAt, connectedAt, pingSentAt, askSentAt;
    /** nanoTime of the last (re)subscription, PONG and answered question; 0 for never. */
    private long subscribedAt, pongAt, askedAt;
    private Report report;
    /** The Sentinel's own id (SENTINEL MYID), which its votes name; it changes when the Sentinel starts afresh. */
    private String id;

    /**
     * @param thread   the watch's thread, where every callback's result is handled
     * @param heard    told of each failover event about {@code master}
     * @param answered told after each answer to SENTINEL MASTER
     */
    SentinelLink(RedisClient client, RedisURI uri, String master, Executor thread, Consumer<SentinelEvent> heard,
            Runnable answered) {
        this.client = client;
        this.uri = uri;
        this.master = master;
        this.thread = thread;
        this.heard = heard;
        this.answered = answered;
    }

    /** Connects, or PINGs the subscription and asks SENTINEL MASTER, each unless one is still awaited. */
    void tick(long now) {
        if (open == null) {
            if (!connecting && now >= retryAt) {
                connect();
            }
            return;
        }
        if (now - Math.max(pongAt, connectedAt) > SILENT.toNanos()) {
            // Lettuce reconnects on its own when the socket fails; this is for a link that looks open and says
            // nothing: start afresh.
            log.debug("Sentinel {}:{} silent for {}: reconnecting", uri.getHost(), uri.getPort(), SILENT);
            close();
            return;
        }
        // A PING or a question unanswered for LIVE is given up, so that a lost reply never stops the next one.
        pinging &= now - pingSentAt < LIVE.toNanos();
        asking &= now - askSentAt < LIVE.toNanos();
        if (!pinging) {
            pinging = true;
            pingSentAt = now;
            open.events().async().ping().whenComplete((pong, failure) -> {
                long at = System.nanoTime();
                thread.execute(() -> {
                    pinging = false;
                    if (failure == null) {
                        pongAt = at;
                    }
                });
            });
        }
        if (!asking) {
            asking = true;
            askSentAt = now;
            open.queries().async().master(master)
                    .whenComplete((answer, failure) -> thread.execute(() -> answered(now, answer, failure)));
        }
    }

    private void answered(long sent, Map<String, String> answer, Throwable failure) {
        asking = false;
        if (failure == null) {
            report = Report.of(answer, id);
        } else if (String.valueOf(failure.getMessage()).contains("No such master")) {
            report = Report.failed(uri.getHost() + ":" + uri.getPort() + " monitors no master named " + master);
        } else {
            return;
        }
        askedAt = sent;
        answered.run();
    }

    /** Subscribed, answering PINGs, and asked since its last (re)subscription and since the last alarm. */
    boolean reachable(long now, long alarmAt) {
        return subscribed && report != null && askedAt > subscribedAt && askedAt > alarmAt
                && now - pongAt < LIVE.toNanos() && now - askedAt < LIVE.toNanos();
    }

    Report report() {
        return report;
    }

    private void connect() {
        connecting = true;
        client.connectPubSubAsync(StringCodec.UTF8, uri).thenCompose(pubsub -> {
            listen(pubsub);
            return pubsub.async().subscribe(SentinelEvent.channels())
                    .thenCompose(ok -> client.connectSentinelAsync(StringCodec.UTF8, uri))
                    .thenApply(sentinel -> new Connections(pubsub, sentinel))
                    .whenComplete((made, failure) -> {
                        if (failure != null) {
                            pubsub.closeAsync();
                        }
                    });
        }).whenComplete((made, failure) -> thread.execute(() -> connected(made, failure)));
    }

    private void connected(Connections made, Throwable failure) {
        connecting = false;
        if (failure != null) {
            log.debug("Sentinel {}:{} not reached: {}", uri.getHost(), uri.getPort(), failure.toString());
            retryAt = System.nanoTime() + LIVE.toNanos();
            return;
        }
        made.queries().setTimeout(LIVE);
        open = made;
        connectedAt = System.nanoTime();
        // SENTINEL MYID at every (re)connect: a Sentinel that restarted with a fresh configuration has a new id.
        made.queries().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                thread.execute(() -> {
                    id = null;
                    askId(made.queries());
                });
            }
        });
        askId(made.queries());
    }

    private void askId(StatefulRedisSentinelConnection<String, String> sentinel) {
        sentinel.async().dispatch(CommandType.SENTINEL, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("MYID")).whenComplete((myId, failure) -> {
                    if (failure == null) {
                        thread.execute(() -> id = myId);
                    }
                });
    }

    private void listen(StatefulRedisPubSubConnection<String, String> pubsub) {
        pubsub.setTimeout(LIVE);
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                var event = SentinelEvent.of(channel, message);
                if ((event.alarm() || event.ending()) && event.concerns(master)) {
                    thread.execute(() -> heard.accept(event));
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                long at = System.nanoTime();
                thread.execute(() -> {
                    subscribedAt = at;
                    subscribed = true;
                });
            }
        });
        pubsub.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                thread.execute(() -> subscribed = false);
            }
        });
    }

    void close() {
        if (open != null) {
            open.close();
        }
        open = null;
        subscribed = false;
    }
}
