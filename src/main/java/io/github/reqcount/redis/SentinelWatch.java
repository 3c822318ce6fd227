package io.github.reqcount.redis;

import io.github.reqcount.redis.SentinelQuorum.Attempt;
import io.github.reqcount.redis.SentinelQuorum.Report;
import io.github.reqcount.redis.SentinelQuorum.Verdict;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.async.RedisSentinelAsyncCommands;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Listens to every Sentinel and tells the counter which primary it may count on ({@link SentinelQuorum} has the
 * rule). Lettuce asks a Sentinel for the primary only when it connects; a connection that survives a short network
 * cut stays on the old primary after a failover, and that primary goes on acknowledging until the Sentinels
 * demote it, while the new one hands out the same numbers again. So the counter stops the moment any Sentinel it
 * hears from announces a failover (its pub/sub events arrive before a replica is promoted), and counts again only
 * on the primary that a majority names once the failover is over, after checking that its connection really
 * leads there (the run_id, see RedisCounterTransaction).
 *
 * <p>Pub/sub keeps no history: after a subscription (re)connects, a Sentinel counts only once it has been asked
 * again for its view. Each subscription is PINGed every tick; one that has not answered for {@link #LIVE} no longer
 * counts. Fewer than a majority reachable means no counting at all.
 */
public class SentinelWatch implements PrimaryGuard, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SentinelWatch.class);

    /** Channels that announce a failover of some stage (message: "master NAME IP PORT", or an epoch). */
    static final Set<String> ALARMS = Set.of("+odown", "+new-epoch", "+try-failover", "+vote-for-leader",
            "+elected-leader", "+failover-state-select-slave", "+selected-slave", "+failover-state-send-slaveof-noone",
            "+failover-state-wait-promotion", "+promoted-slave", "+failover-state-reconf-slaves", "+switch-master");
    /** Channels on which the leader announces that its failover is over, one way or the other. */
    static final Set<String> ENDINGS = Set.of("+failover-end", "+failover-end-for-timeout",
            "-failover-abort-not-elected", "-failover-abort-no-good-slave", "-failover-abort-slave-timeout");

    static final Duration TICK = Duration.ofMillis(100);
    /**
     * A Sentinel that has not answered a PING or a query for this long is not reachable. It must be shorter than the
     * Sentinels' down-after (1.5 s at the least, deploy/redis-ha/common.sh): a service cut off with the primary then
     * stops counting before the other side can even call the primary down, let alone promote a replica. At 2.5 s a
     * 2 s cut let the old primary confirm a batch after the heal (through a replica not yet moved to the new
     * primary) while the new primary, promoted 1.9 s into the cut, counted on from below it: 36 numbers served twice
     * (the nemesis, scenario f). A busy node's answer slower than this costs a pause, never a wrong number.
     */
    static final Duration LIVE = Duration.ofMillis(1000);
    /** A link with no PONG for this long, though it looks open, is closed and made again. */
    static final Duration SILENT = Duration.ofSeconds(10);
    /** How long a start may take to reach the Sentinels before the pause is worth a warning. */
    static final Duration STARTING = Duration.ofSeconds(3);

    private final RedisClient client;
    private final String master;
    private final List<Link> links = new ArrayList<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        var thread = new Thread(r, "sentinel-watch");
        thread.setDaemon(true);
        return thread;
    });

    private long generation;
    private Attempt attempt;
    /** nanoTime of the last alarm: only answers to questions asked after it count. */
    private long alarmAt;
    /** The primary to count on, or null; read without the lock by the counting threads. */
    private volatile Primary primary;
    private volatile String reason = "the Sentinels have not been asked yet";
    private String primaryAddress;
    private volatile boolean running;
    private long startedAt;
    /** Whether this pause has been logged; a pause is logged once, a start's first seconds of connecting never. */
    private boolean pauseLogged;

    private final Runnable primaryMoved;
    /** How to log in to a Redis (its user and password); the host and port are the primary's. */
    private final RedisURI redisUri;
    /** The primary last asked for its run_id (its address), and its answer. */
    private String identified, identifiedRunId;
    private boolean identifying, recheck;

    /**
     * @param primaryMoved called when the trusted primary is another than before, to reset the connection that plain
     *                     commands (heartbeats, /cluster) share: a surviving one would stay on the deposed primary
     */
    public SentinelWatch(RedisClient client, String master, List<RedisURI> sentinels, RedisURI redis,
            Runnable primaryMoved) {
        this.client = client;
        this.master = master;
        this.redisUri = redis;
        this.primaryMoved = primaryMoved;
        sentinels.forEach(uri -> links.add(new Link(uri)));
    }

    @Override
    public Primary current() {
        Primary trusted = primary;
        if (trusted == null) {
            throw new NoPrimaryException(reason);
        }
        return trusted;
    }

    @Override
    public boolean unchanged(Primary used) {
        return primary == used;
    }

    @Override
    public void start() {
        running = true;
        startedAt = System.nanoTime();
        ticks.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        ticks.shutdownNow();
        links.forEach(Link::close);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void tick() {
        try {
            for (Link link : links) {
                link.tick();
            }
            evaluate();
        } catch (RuntimeException e) {
            log.warn("Sentinel watch tick failed", e);
        }
    }

    /** A failover is announced: nothing is counted until the Sentinels agree again. */
    private synchronized void alarm(String channel, String message) {
        log.debug("Sentinel announced {} {}", channel, message);
        alarmAt = System.nanoTime();
        if (channel.equals("+vote-for-leader")) {
            // "LEADER EPOCH": a vote, by a voter or by the candidate itself, for an attempt at that epoch.
            String[] words = message.split(" ");
            long epoch = epoch(channel, message);
            if (attempt == null || epoch >= attempt.epoch()) {
                attempt = new Attempt(epoch, alarmAt, false, words[0]);
            }
        } else if (attempt == null) {
            attempt = new Attempt(0, alarmAt, false, null);
        }
        generation++;
        pause("Sentinel announced " + channel + " " + message);
    }

    private synchronized void ended(String channel) {
        if (attempt != null) {
            attempt = new Attempt(attempt.epoch(), attempt.atNanos(), true, attempt.leader());
        }
        log.debug("Sentinel announced the end: {}", channel);
    }

    private synchronized void evaluate() {
        long now = System.nanoTime();
        List<Report> reachable = links.stream().filter(l -> l.reachable(now, alarmAt)).map(l -> l.report).toList();
        Verdict verdict = SentinelQuorum.decide(master, links.size(), reachable, attempt, now);
        if (!verdict.trusted()) {
            pause(verdict.reason());
            return;
        }
        attempt = null;
        String runId = runIdOf(verdict);
        if (runId == null) {
            pause("asking the primary " + verdict.address() + " for its run_id");
            return;
        }
        Primary trusted = primary;
        if (trusted != null && runId.equals(trusted.runId())) {
            return;
        }
        generation++;
        primary = new Primary(generation, runId);
        pauseLogged = false;
        log.atInfo().addKeyValue("event.action", "sentinel.primary").addKeyValue("primary", verdict.address())
                .addKeyValue("run_id", runId).addKeyValue("config_epoch", verdict.configEpoch())
                .log("Counting on primary {} of {} (run_id {}, config epoch {}), named by a majority of the Sentinels{}",
                        verdict.address(), master, runId, verdict.configEpoch(),
                        verdict.address().equals(primaryAddress) || primaryAddress == null ? ""
                                : "; it was " + primaryAddress);
        if (primaryAddress != null && !verdict.address().equals(primaryAddress)) {
            primaryMoved.run();
        }
        primaryAddress = verdict.address();
    }

    /**
     * The run_id of the primary the Sentinels agree on, which the counter checks every connection against. Asked of
     * that primary itself, once per address and again after a connection led elsewhere (a Sentinel learns it only
     * at its next INFO, seconds after a failover); null while the answer is awaited.
     */
    private String runIdOf(Verdict verdict) {
        String key = verdict.address();
        if (key.equals(identified) && identifiedRunId != null && !recheck) {
            return identifiedRunId;
        }
        if (!identifying) {
            identifying = true;
            recheck = false;
            int colon = verdict.address().lastIndexOf(':');
            RedisURI uri = RedisURI.builder(redisUri).withHost(verdict.address().substring(0, colon))
                    .withPort(Integer.parseInt(verdict.address().substring(colon + 1))).build();
            client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture()
                    .thenCompose(c -> c.async().info("server").whenComplete((i, f) -> c.closeAsync()))
                    .orTimeout(LIVE.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((info, failure) -> identified(key, info, failure));
        }
        return null;
    }

    private synchronized void identified(String key, String info, Throwable failure) {
        identifying = false;
        if (failure != null) {
            log.debug("The primary {} did not give its run_id: {}", key, failure.toString());
            return;
        }
        identified = key;
        identifiedRunId = info.lines().filter(l -> l.startsWith("run_id:")).map(l -> l.substring(7).trim())
                .findFirst().orElse(null);
        evaluate();
    }

    /** A connection led to a Redis that is not the trusted primary: ask the primary for its run_id again. */
    @Override
    public synchronized void recheck() {
        recheck = true;
    }

    private void pause(String why) {
        boolean wasCounting = primary != null;
        primary = null;
        if (log.isDebugEnabled() && !reason.endsWith(why)) {
            log.debug("Not counting: {}", why);
        }
        reason = "no trusted primary: " + why;
        if (wasCounting || (!pauseLogged && System.nanoTime() - startedAt > STARTING.toNanos())) {
            pauseLogged = true;
            log.atWarn().addKeyValue("event.action", "sentinel.pause").addKeyValue("reason", why)
                    .log("Not counting until the Sentinels agree on a primary again: {}", why);
        }
    }

    /** Whether a message on a Sentinel channel is about this master (epoch-only messages are, there is one). */
    boolean concerns(String channel, String message) {
        String[] words = message.split(" ");
        if (channel.equals("+switch-master")) {
            return words[0].equals(master);
        }
        if (words[0].equals("master")) {
            return words.length > 1 && words[1].equals(master);
        }
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("@")) {
                return words[i + 1].equals(master);
            }
        }
        return true;
    }

    /**
     * The epoch of the attempt that +vote-for-leader ("LEADER EPOCH") votes for, else 0. +new-epoch alone is no
     * attempt: a Sentinel also announces an epoch it merely learnt from its peers, long after that attempt ended.
     */
    static long epoch(String channel, String message) {
        String[] words = message.split(" ");
        try {
            return switch (channel) {
                case "+vote-for-leader" -> words.length > 1 ? Long.parseLong(words[1]) : 0;
                default -> 0;
            };
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One Sentinel: a subscription to its events, a connection for questions, and what it last said. */
    private final class Link {
        final RedisURI uri;
        StatefulRedisPubSubConnection<String, String> events;
        StatefulRedisSentinelConnection<String, String> queries;
        boolean connecting;
        volatile boolean pinging, asking;
        /** nanoTime of the last (re)subscription, PONG and answered question; 0 for never. */
        volatile long subscribedAt, pongAt, askedAt;
        volatile boolean subscribed;
        volatile Report report;
        /** The Sentinel's own id (SENTINEL MYID), which its votes name; it changes when the Sentinel starts afresh. */
        volatile String id;
        long retryAt, connectedAt, pingSentAt, askSentAt;

        Link(RedisURI uri) {
            this.uri = uri;
        }

        synchronized void tick() {
            long now = System.nanoTime();
            if (events == null || queries == null) {
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
                events.async().ping().whenComplete((pong, failure) -> {
                    pinging = false;
                    if (failure == null) {
                        pongAt = System.nanoTime();
                    }
                });
            }
            if (!asking) {
                asking = true;
                askSentAt = now;
                long sent = now;
                queries.async().master(master).whenComplete((answer, failure) -> {
                    asking = false;
                    if (failure == null) {
                        report = Report.of(answer, id);
                    } else if (String.valueOf(failure.getMessage()).contains("No such master")) {
                        report = Report.failed(uri.getHost() + ":" + uri.getPort() + " monitors no master named "
                                + master);
                    } else {
                        return;
                    }
                    askedAt = sent;
                    evaluate();
                });
            }
        }

        /** Subscribed, answering PINGs, and asked since its last (re)subscription and since the last alarm. */
        boolean reachable(long now, long alarmAt) {
            return subscribed && report != null && askedAt > subscribedAt && askedAt > alarmAt
                    && now - pongAt < LIVE.toNanos() && now - askedAt < LIVE.toNanos();
        }

        private void connect() {
            connecting = true;
            client.connectPubSubAsync(StringCodec.UTF8, uri).thenCompose(pubsub -> {
                listen(pubsub);
                var channels = new ArrayList<>(ALARMS);
                channels.addAll(ENDINGS);
                return pubsub.async().subscribe(channels.toArray(String[]::new))
                        .thenCompose(ok -> client.connectSentinelAsync(StringCodec.UTF8, uri))
                        .whenComplete((sentinel, failure) -> {
                            synchronized (this) {
                                connecting = false;
                                if (failure == null) {
                                    sentinel.setTimeout(LIVE);
                                    events = pubsub;
                                    queries = sentinel;
                                    connectedAt = System.nanoTime();
                                    askId(sentinel);
                                } else {
                                    pubsub.closeAsync();
                                }
                            }
                        });
            }).whenComplete((sentinel, failure) -> {
                if (failure != null) {
                    log.debug("Sentinel {}:{} not reached: {}", uri.getHost(), uri.getPort(), failure.toString());
                    synchronized (this) {
                        connecting = false;
                        retryAt = System.nanoTime() + LIVE.toNanos();
                    }
                }
            });
        }

        /** SENTINEL MYID, at every (re)connect: a Sentinel that restarted with a fresh configuration has a new id. */
        private void askId(StatefulRedisSentinelConnection<String, String> sentinel) {
            sentinel.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                    id = null;
                    askId(sentinel.async());
                }
            });
            askId(sentinel.async());
        }

        private void askId(RedisSentinelAsyncCommands<String, String> sentinel) {
            sentinel.dispatch(CommandType.SENTINEL, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("MYID")).whenComplete((myId, failure) -> {
                        if (failure == null) {
                            id = myId;
                        }
                    });
        }

        private void listen(StatefulRedisPubSubConnection<String, String> pubsub) {
            pubsub.setTimeout(LIVE);
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    if (ALARMS.contains(channel) && concerns(channel, message)) {
                        alarm(channel, message);
                    } else if (ENDINGS.contains(channel) && concerns(channel, message)) {
                        ended(channel);
                    }
                }

                @Override
                public void subscribed(String channel, long count) {
                    subscribedAt = System.nanoTime();
                    subscribed = true;
                }
            });
            pubsub.addListener(new RedisConnectionStateListener() {
                @Override
                public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                    subscribed = false;
                }
            });
        }

        synchronized void close() {
            if (events != null) {
                events.closeAsync();
            }
            if (queries != null) {
                queries.closeAsync();
            }
            events = null;
            queries = null;
            subscribed = false;
        }
    }
}
