package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.cluster.ClusterSnapshot;
import io.github.reqcount.cluster.ClusterView;
import io.github.reqcount.cluster.ReplicaHeartbeat;
import io.github.reqcount.cluster.ReplicaRetirement;
import io.github.reqcount.support.Counters;
import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.ClusterViews;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The per-replica view stays bounded: replicas gone for longer than RETIRE_AFTER are folded into one retired
 * count, and the replicas' counts plus retired equal the total at every step. Against a real Redis, as the
 * service's own Redis user; the churned replicas are driven through the heartbeat and counter classes directly,
 * each under its own name, beside running instances of the service that do the folding.
 */
class ReplicaRetirementIT {

    private static final RedisServer redis = RedisServer.shared();
    private static final Duration TTL = Duration.ofSeconds(1);
    private static final Duration RETIRE_AFTER = Duration.ofSeconds(3);
    // The test's own threads borrow from the instance's Redis pool too; room for them beside its own work.
    private static final String ROOMY_POOL = "--batch-max-in-flight=8";

    @BeforeEach
    void freshCluster() {
        redis.flushAll();
    }

    /** The service that keeps the view: short heartbeats and RETIRE_AFTER, and room in its pool. */
    private static RunningApp keeper() {
        return new RunningApp("keeper", redis, ROOMY_POOL, "--heartbeat-ttl=" + TTL.toSeconds() + "s",
                "--retire-after=" + RETIRE_AFTER.toSeconds() + "s");
    }

    @Test
    void twoHundredNamesChurnedThroughLeaveOnlyTheLiveAndRecentlyGoneAndTheSumsHoldAtEveryStep() throws Exception {
        try (var app = keeper()) {
            StringRedisTemplate template = app.bean(StringRedisTemplate.class);
            ClusterView view = app.bean(ClusterView.class);
            long counted = 0;
            for (int wave = 0; wave < 10; wave++) {
                // Twenty replicas start, beat, count and stop; the keeper's upkeep retires earlier waves meanwhile.
                for (int i = 0; i < 20; i++) {
                    String name = "churn-" + (wave * 20 + i);
                    new ReplicaHeartbeat(template, name, TTL).beat();
                    var counter = Counters.transaction(template, name);
                    for (int n = 1; n <= 1 + i % 4; n++) {
                        counter.add(n);
                        counted += n;
                    }
                    assertAddsUp(view.read(), counted);
                }
                Thread.sleep(400);
                assertAddsUp(view.read(), counted);
            }
            long total = counted;

            // Every churned name is folded within RETIRE_AFTER and a few upkeep runs; the keeper stays.
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                ClusterSnapshot now = view.read();
                assertAddsUp(now, total);
                assertThat(now.replicas()).extracting(ClusterSnapshot.Replica::name).containsExactly("keeper");
            });
            ClusterSnapshot settled = view.read();
            assertThat(settled.retired()).isEqualTo(total);
            assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "hlen", RedisKeys.REPLICA_SEEN).trim())
                    .as("the hashes shrink too").isEqualTo("1");

            JsonNode json = ClusterViews.read(app.url());
            assertThat(json.get("retired").asLong()).isEqualTo(total);
            assertThat(json.get("consistent").asBoolean()).isTrue();

            // A replica back under a retired name starts a new entry; what it counted before stays retired.
            new ReplicaHeartbeat(template, "churn-7", TTL).beat();
            Counters.transaction(template, "churn-7").add(5);
            ClusterSnapshot back = view.read();
            assertAddsUp(back, total + 5);
            assertThat(back.replicas()).filteredOn(r -> r.name().equals("churn-7"))
                    .singleElement().satisfies(r -> assertThat(r.requests()).isEqualTo(5));
            assertThat(back.retired()).isEqualTo(total);

            // The gauge the monitoring alert reads: 1 while the sums hold, 0 once the total has a part they miss.
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(consistentGauge(app))
                    .isEqualTo("1.0"));
            redis.cli("admin", RedisServer.ADMIN_PASSWORD, "incrby", RedisKeys.TOTAL, "3");
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(consistentGauge(app))
                    .isEqualTo("0.0"));
        }
    }

    @Test
    void whileAReplicaIsListedItIsLiveOrGoneForLessThanRetireAfter() throws Exception {
        try (var app = keeper()) {
            StringRedisTemplate template = app.bean(StringRedisTemplate.class);
            ClusterView view = app.bean(ClusterView.class);
            long counted = 0;
            long deadline = System.currentTimeMillis() + 8_000;
            int next = 0;
            while (System.currentTimeMillis() < deadline) {
                String name = "short-" + next++;
                new ReplicaHeartbeat(template, name, TTL).beat();
                Counters.transaction(template, name).add(2);
                counted += 2;
                ClusterSnapshot now = view.read();
                assertAddsUp(now, counted);
                // The upkeep runs every TTL/3 and folds at most 16 a run: a name may outstay RETIRE_AFTER by that.
                long oldest = System.currentTimeMillis() - RETIRE_AFTER.toMillis() - TTL.toMillis();
                assertThat(now.replicas()).allSatisfy(r -> assertThat(r.live() || r.lastSeen() == null
                        || r.lastSeen().toEpochMilli() >= oldest).as(r.toString()).isTrue());
                Thread.sleep(50);
            }
            assertThat(next).as("names churned").isGreaterThan(50);
            assertThat(view.read().replicas().size()).as("bounded by the names of the last RETIRE_AFTER")
                    .isLessThan(next);
        }
    }

    /**
     * The guarantee chosen: folding is safe when several replicas try at once (not one folder at a time). Two
     * instances fold the same 100 gone replicas at the same moment, in the same order, while a live one keeps
     * counting: each gone replica is folded by exactly one of them, retired ends equal to what the gone ones
     * counted, and nothing is counted twice or lost.
     */
    @Test
    void twoReplicasFoldingTheSameGoneReplicasAtOnceCountNothingTwice() throws Exception {
        try (var a = new RunningApp("folder-a", redis, ROOMY_POOL); var b = new RunningApp("folder-b", redis, ROOMY_POOL)) {
            StringRedisTemplate template = a.bean(StringRedisTemplate.class);
            // Gone ten minutes ago: the instances' own upkeep (RETIRE_AFTER 1h) leaves them to this test.
            long tenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
            long goneCounted = 0;
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String name = "gone-" + i;
                Counters.transaction(template, name).add(i + 1);
                template.opsForHash().put(RedisKeys.REPLICA_SEEN, name, Long.toString(tenMinutesAgo));
                goneCounted += i + 1;
                gone.add(name);
            }

            var stop = new AtomicBoolean();
            var liveCounted = new AtomicLong();
            var live = CompletableFuture.runAsync(() -> {
                var counter = Counters.transaction(b.bean(StringRedisTemplate.class), "still-live");
                while (!stop.get()) {
                    counter.add(1);
                    liveCounted.incrementAndGet();
                }
            });

            var barrier = new CyclicBarrier(2);
            long cutoff = System.currentTimeMillis();
            var foldA = CompletableFuture.supplyAsync(() -> foldAll(new ReplicaRetirement(template), gone, cutoff, barrier));
            var foldB = CompletableFuture.supplyAsync(() -> foldAll(new ReplicaRetirement(b.bean(StringRedisTemplate.class)),
                    gone, cutoff, barrier));
            Map<String, Long> byA = foldA.get();
            Map<String, Long> byB = foldB.get();
            stop.set(true);
            live.get();

            for (String name : gone) {
                long movedByA = byA.get(name);
                long movedByB = byB.get(name);
                assertThat(movedByA < 0 ^ movedByB < 0).as(name + " folded by exactly one: " + movedByA + ", "
                        + movedByB).isTrue();
            }
            long moved = byA.values().stream().filter(v -> v >= 0).mapToLong(Long::longValue).sum()
                    + byB.values().stream().filter(v -> v >= 0).mapToLong(Long::longValue).sum();
            assertThat(moved).isEqualTo(goneCounted);

            ClusterSnapshot after = a.bean(ClusterView.class).read();
            assertThat(after.retired()).isEqualTo(goneCounted);
            assertAddsUp(after, goneCounted + liveCounted.get());
            assertThat(after.replicas()).extracting(ClusterSnapshot.Replica::name).doesNotContainAnyElementsOf(gone)
                    .contains("still-live");
            assertThat(after.replicas()).filteredOn(r -> r.name().equals("still-live")).singleElement()
                    .satisfies(r -> assertThat(r.requests()).isEqualTo(liveCounted.get()));
        }
    }

    @Test
    void aLiveReplicaOrOneSeenSinceTheCutoffIsNotFolded() throws Exception {
        try (var a = new RunningApp("folder-a", redis, ROOMY_POOL)) {
            StringRedisTemplate template = a.bean(StringRedisTemplate.class);
            var retirement = new ReplicaRetirement(template);
            new ReplicaHeartbeat(template, "beating", Duration.ofMinutes(1)).beat();
            Counters.transaction(template, "beating").add(4);
            assertThat(retirement.retire("beating", System.currentTimeMillis() + 1_000)).as("its alive key is set")
                    .isEqualTo(-1);

            template.opsForHash().put(RedisKeys.REPLICA_SEEN, "recent", Long.toString(System.currentTimeMillis()));
            Counters.transaction(template, "recent").add(3);
            assertThat(retirement.retire("recent", System.currentTimeMillis() - 60_000)).isEqualTo(-1);
            assertThat(retirement.retire("never-seen", System.currentTimeMillis())).isEqualTo(-1);
            assertThat(a.bean(ClusterView.class).read().retired()).isZero();
        }
    }

    private static Map<String, Long> foldAll(ReplicaRetirement retirement, List<String> names, long cutoff,
            CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, Long> moved = new HashMap<>();
        for (String name : names) {
            moved.put(name, retirement.retire(name, cutoff));
        }
        return moved;
    }

    /** The invariant the fold keeps: every counted request is in exactly one replica's field or in retired. */
    private static void assertAddsUp(ClusterSnapshot snapshot, long counted) {
        long attributed = snapshot.replicas().stream().mapToLong(ClusterSnapshot.Replica::requests).sum();
        assertThat(snapshot.total()).isEqualTo(counted);
        assertThat(attributed + snapshot.retired()).as("replicas plus retired: " + snapshot).isEqualTo(counted);
        assertThat(snapshot.unattributed()).isZero();
        assertThat(snapshot.consistent()).isTrue();
    }

    private static String consistentGauge(RunningApp app) {
        return Replies.get(app.managementUrl() + "actuator/prometheus").body().lines()
                .filter(line -> line.startsWith("reqcount_cluster_consistent{"))
                .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElse("absent");
    }
}
