package io.github.reqcount.redis;

import io.github.reqcount.redis.SentinelQuorum.Attempt;
import io.github.reqcount.redis.SentinelQuorum.Report;
import io.github.reqcount.redis.SentinelQuorum.Verdict;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * leads there (the run_id, see {@link PrimaryFence}).
 *
 * <p>Pub/sub keeps no history: after a subscription (re)connects, a Sentinel counts only once it has been asked
 * again for its view. Each subscription is PINGed every tick; one that has not answered for {@link #LIVE} no longer
 * counts. Fewer than a majority reachable means no counting at all.
 *
 * <p>One thread, "sentinel-watch", does all of it: every field here, in each {@link SentinelLink} and in the
 * {@link PrimaryRunId} is read and written on it alone, and Lettuce's callbacks hand their results over to it
 * ({@link #onThread}). Only {@link #primary} and {@link #reason}, written there, are read by the counting threads.
 * The watch owns its Lettuce client: {@link #stop()} shuts it down with its resources.
 */
public class SentinelWatch implements PrimaryGuard, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SentinelWatch.class);

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
    private final List<SentinelLink> links;
    private final PrimaryRunId runIds;
    private final Runnable primaryMoved;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        var watch = new Thread(r, "sentinel-watch");
        watch.setDaemon(true);
        return watch;
    });

    /** Moves at every failover event and every new primary (see {@link Primary}). */
    private long generation;
    /** The last failover attempt heard of, until a primary is trusted again. */
    private Attempt attempt;
    /** nanoTime of the last alarm: only answers to questions asked after it count. */
    private long alarmAt;
    /** The address of the last primary trusted. */
    private String primaryAddress;
    private long startedAt;
    /** Whether this pause has been logged; a pause is logged once, a start's first seconds of connecting never. */
    private boolean pauseLogged;

    /** The primary to count on, or null, and why not; written on the watch's thread, read by the counting threads. */
    private volatile Primary primary;
    private volatile String reason = "the Sentinels have not been asked yet";
    private volatile boolean running;

    /**
     * @param client       the watch's own client, shut down at {@link #stop()}
     * @param redis        how to log in to a Redis (its user and password); the host and port are the primary's
     * @param primaryMoved called when the trusted primary is another than before, to reset the connection that plain
     *                     commands (heartbeats, /cluster) share: a surviving one would stay on the deposed primary
     */
    public SentinelWatch(RedisClient client, String master, List<RedisURI> sentinels, RedisURI redis,
            Runnable primaryMoved) {
        this.client = client;
        this.master = master;
        this.primaryMoved = primaryMoved;
        this.links = sentinels.stream()
                .map(uri -> new SentinelLink(client, uri, master, this::onThread, this::heard, this::evaluate)).toList();
        this.runIds = new PrimaryRunId(client, redis, this::onThread, this::evaluate);
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

    /** A connection led to a Redis that is not the trusted primary: ask the primary for its run_id again. */
    @Override
    public void recheck() {
        onThread(runIds::recheck);
    }

    @Override
    public void start() {
        running = true;
        onThread(() -> startedAt = System.nanoTime());
        thread.scheduleWithFixedDelay(() -> guarded(this::tick), 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        running = false;
        onThread(() -> links.forEach(SentinelLink::close));
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.shutdown();
        client.getResources().shutdown();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Runs the task on the watch's thread; once stopped, drops it. */
    private void onThread(Runnable task) {
        try {
            thread.execute(() -> guarded(task));
        } catch (RejectedExecutionException stopped) {
            // Stopping: the client closes every connection.
        }
    }

    private static void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("Sentinel watch tick failed", e);
        }
    }

    private void tick() {
        long now = System.nanoTime();
        links.forEach(link -> link.tick(now));
        evaluate();
    }

    private void heard(SentinelEvent event) {
        if (event.alarm()) {
            alarm(event);
            return;
        }
        log.debug("Sentinel announced the end: {}", event.channel());
        if (attempt != null) {
            attempt = new Attempt(attempt.epoch(), attempt.atNanos(), true, attempt.leader());
        }
    }

    /** A failover is announced: nothing is counted until the Sentinels agree again. */
    private void alarm(SentinelEvent event) {
        log.debug("Sentinel announced {}", event);
        alarmAt = System.nanoTime();
        long epoch = event.epoch();
        if (event.channel().equals("+vote-for-leader")) {
            // A vote, by a voter or by the candidate itself, for an attempt at that epoch.
            if (attempt == null || epoch >= attempt.epoch()) {
                attempt = new Attempt(epoch, alarmAt, false, event.leader());
            }
        } else if (attempt == null || epoch > attempt.epoch()) {
            // A new epoch: an attempt at it, whose candidate is unknown, may be under way (other alarms carry none).
            attempt = new Attempt(epoch, alarmAt, false, null);
        }
        generation++;
        pause("Sentinel announced " + event);
    }

    private void evaluate() {
        long now = System.nanoTime();
        List<Report> reachable = links.stream().filter(l -> l.reachable(now, alarmAt)).map(SentinelLink::report)
                .toList();
        Verdict verdict = SentinelQuorum.decide(master, links.size(), reachable, attempt, now);
        if (!verdict.trusted()) {
            pause(verdict.reason());
            return;
        }
        attempt = null;
        String runId = runIds.of(verdict.address());
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
        boolean moved = primaryAddress != null && !verdict.address().equals(primaryAddress);
        log.atInfo().addKeyValue("event.action", "sentinel.primary").addKeyValue("primary", verdict.address())
                .addKeyValue("run_id", runId).addKeyValue("config_epoch", verdict.configEpoch())
                .log("Counting on primary {} of {} (run_id {}, config epoch {}), named by a majority of the Sentinels{}",
                        verdict.address(), master, runId, verdict.configEpoch(), moved ? "; it was " + primaryAddress : "");
        if (moved) {
            primaryMoved.run();
        }
        primaryAddress = verdict.address();
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
}
