package io.github.reqcount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.Replies;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.Traffic;
import io.github.reqcount.support.Traffic.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End-to-end checks on the test swarm of src/test/scripts/TestNodes.java, with the stack deployed by start_service.sh
 * (testing_infrastructure.sh does both). Nodes are drained, killed and started again while a bounded load runs
 * through the ports of the nodes that stay up; traffic goes only to those loopback ports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiNodeE2E {

    /** How long the swarm may take to run a killed node's replicas elsewhere (measured: docs/multi-node.md). */
    private static final Duration RESCHEDULE_BOUND = Duration.ofSeconds(120);

    /**
     * How long after a node's death a request may still fail: the edges mark its replicas down within about 2.4 s
     * (deploy/haproxy/haproxy.cfg), and retry elsewhere whatever could not connect before that.
     */
    private static final Duration KILL_FAILURE_WINDOW = Duration.ofSeconds(3);

    /**
     * Whether Redis survives the loss of its node: with REDIS_HA (Sentinel) it must, and the Redis-node check demands
     * that counting goes on without the node; one Redis pinned to one node does not, and the same check demands
     * refusals and an intact total.
     */
    private static boolean redisSurvivesNodeLoss;

    /** The node of the primary (the one Redis, without HA). */
    private static int redisNode;
    private static int killedNode;

    @BeforeAll
    static void findRedis() {
        redisSurvivesNodeLoss = TestSwarm.ha();
        redisNode = TestSwarm.primary().node();
    }

    @Test
    @Order(1)
    @DisplayName("replicas run on different nodes, and every node's port reaches every replica")
    void spreadAndEveryPortAnswers() {
        Map<String, Integer> tasks = TestSwarm.tasks("counter", 0);
        Map<Integer, Set<String>> seen = new TreeMap<>();
        int sent = 0;
        for (int node = 1; node <= TestSwarm.NODES; node++) {
            Set<String> instances = seen.computeIfAbsent(node, n -> new TreeSet<>());
            for (int i = 0; i < 60 && instances.size() < Swarm.REPLICAS; i++, sent++) {
                var response = Replies.get(TestSwarm.url(node));
                assertThat(response.statusCode()).as("node %d: %s", node, response.body()).isEqualTo(200);
                instances.add(Replies.parse(response.body()).instance());
            }
        }
        Set<Integer> nodes = new TreeSet<>(tasks.values());
        Figures.report("replicas on nodes %s (%s); replicas reached through each node's port in %d requests: %s",
                nodes, tasks, sent, seen.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
        assertThat(tasks).hasSize(Swarm.REPLICAS);
        assertThat(nodes).hasSizeGreaterThanOrEqualTo(2).hasSize(Math.min(TestSwarm.NODES, Swarm.REPLICAS));
        assertThat(seen.values()).allSatisfy(instances -> assertThat(instances).hasSize(Swarm.REPLICAS));
    }

    @Test
    @Order(2)
    @DisplayName("drain a node under load: its replicas move, every request answered 200 (with Sentinel, or a clear 503), every number served is in the total")
    void drainUnderLoad() throws Exception {
        int drained = nodeWithReplicaBut(redisNode);
        long moving = TestSwarm.tasks("counter", 0).values().stream().filter(n -> n == drained).count();
        long before = TestSwarm.redisTotal();
        List<Outcome> outcomes;
        double movedAfter;
        try (var traffic = new Traffic(TestSwarm.urlsExcept(drained), 4, 50_000, Duration.ofMinutes(3), 5)) {
            awaitServed(traffic, 100);
            long start = System.nanoTime();
            TestSwarm.availability(drained, "drain");
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    Map<String, Integer> tasks = TestSwarm.tasks("counter", 0);
                    return tasks.size() == Swarm.REPLICAS && !tasks.containsValue(drained);
                });
                movedAfter = (System.nanoTime() - start) / 1e9;
                awaitServed(traffic, traffic.served() + 200);
                outcomes = traffic.stop();
            } finally {
                TestSwarm.availability(drained, "active");
            }
        }
        long after = TestSwarm.redisTotal();
        List<Reply> replies = replies(outcomes);
        long distinct = replies.stream().map(Reply::cluster).distinct().count();
        Figures.report("drained node %d (%s): its %d replica(s) ran elsewhere after %.1f s; %d requests, statuses %s, "
                + "failures %s; %d distinct numbers, Redis total %d -> %d (a gap of %d)", drained, mode(), moving, movedAfter,
                outcomes.size(), statuses(outcomes), failures(outcomes), distinct, before, after, after - before - replies.size());
        // A stopping replica refuses readiness and serves on until the edges have taken it out (DrainOnShutdown):
        // every request is answered 200. With Sentinel, one exception stays open: the two Sentinels left may stall
        // on blocking lookups of the gone node's names (docs/network-faults.md#a-node-leaving), and a replica that
        // can't hear them refuses with a clear 503. Never a request without an answer.
        assertThat(outcomes).isNotEmpty();
        assertThat(failures(outcomes)).as("requests not answered 200 during the drain")
                .allSatisfy((kind, count) -> assertThat(redisSurvivesNodeLoss && kind.endsWith(" 503")).isTrue());
        assertThat(distinct).isEqualTo(replies.size());
        assertThat(replies).allMatch(r -> r.cluster() > before && r.cluster() <= after);
        if (redisSurvivesNodeLoss) {
            // With Sentinel a batch whose WAIT falls short (the drained node's Redis replica leaving) is applied on the
            // primary but not answered; its retry is. Its numbers become a gap, never a repeat (docs/high-availability.md).
            assertThat(after - before).isGreaterThanOrEqualTo(replies.size());
        } else {
            assertThat(after - before).isEqualTo(replies.size());
        }
    }

    @Test
    @Order(3)
    @DisplayName("kill a node (not the primary Redis's) under load: failures only within 3 s of the kill, replicas "
            + "rescheduled within the bound, no number repeats")
    void killNodeUnderLoad() throws Exception {
        killedNode = nodeWithReplicaBut(redisNode);
        int killed = killedNode;
        long lost = TestSwarm.tasks("counter", 0).values().stream().filter(n -> n == killed).count();
        List<Outcome> outcomes;
        AtomicLong downAfterMillis = new AtomicLong(-1);
        double rescheduledAfter;
        long start;
        try (var traffic = new Traffic(TestSwarm.urlsExcept(killed), 4, 100_000, Duration.ofMinutes(4), 5)) {
            awaitServed(traffic, 100);
            start = System.nanoTime();
            TestSwarm.kill(killed);
            await().atMost(RESCHEDULE_BOUND).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (downAfterMillis.get() < 0 && TestSwarm.nodeStates(killed).get(killed).startsWith("Down")) {
                    downAfterMillis.set((System.nanoTime() - start) / 1_000_000);
                }
                Map<String, Integer> tasks = TestSwarm.tasks("counter", killed);
                return tasks.size() == Swarm.REPLICAS && !tasks.containsValue(killed);
            });
            rescheduledAfter = (System.nanoTime() - start) / 1e9;
            awaitServed(traffic, traffic.served() + 300);
            outcomes = traffic.stop();
        }
        long total = TestSwarm.redisTotal();
        List<Reply> replies = replies(outcomes);
        long distinct = replies.stream().map(Reply::cluster).distinct().count();
        long highest = replies.stream().mapToLong(Reply::cluster).max().orElse(0);
        // Failures by when they were sent: in flight at the kill (sent before it), or sent while the edges noticed.
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        long inFlight = failed.stream().filter(o -> o.sent() < start).count();
        double window = failed.stream().mapToDouble(o -> Math.max(0, (o.sent() - start) / 1e9)).max().orElse(0);
        Figures.report("killed node %d (%s) with %d replica(s); swarm saw it down after %.1f s; its replicas ran "
                + "elsewhere after %.1f s (bound %d s); %d requests, statuses %s; %d failed (%d in flight at the kill): "
                + "%s, the last sent %.2f s after the kill (bound %d s); %d distinct numbers, highest %d, Redis total %d",
                killed, mode(), lost, downAfterMillis.get() / 1e3, rescheduledAfter, RESCHEDULE_BOUND.toSeconds(),
                outcomes.size(), statuses(outcomes), failed.size(), inFlight, failures(outcomes), window,
                KILL_FAILURE_WINDOW.toSeconds(), distinct, highest, total);
        // The edges retry elsewhere every request whose connection failed before it was sent, and mark the dead
        // replicas down within seconds: only requests in flight on them, or sent to them before that, fail. With
        // Sentinel, the clear 503s of the Sentinels' stall (as in the drain) may come later; nothing else may.
        double unclearWindow = failed.stream().filter(o -> !(redisSurvivesNodeLoss && o.status() == 503))
                .mapToDouble(o -> Math.max(0, (o.sent() - start) / 1e9)).max().orElse(0);
        assertThat(unclearWindow).as("seconds from the kill to the last failed request's sending").isLessThanOrEqualTo(
                KILL_FAILURE_WINDOW.toMillis() / 1e3);
        assertThat(distinct).as("no number repeats").isEqualTo(replies.size());
        assertThat(total).isGreaterThanOrEqualTo(highest);
    }

    @Test
    @Order(4)
    @DisplayName("the killed node rejoins, and takes replicas again after a rebalance")
    void rejoinAndRebalance() {
        int node = killedNode;
        assertThat(node).as("the kill check ran first").isPositive();
        long start = System.nanoTime();
        TestSwarm.start(node);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> TestSwarm.nodeStates(node).get(node).equals("Ready Active"));
        double rejoinedAfter = (System.nanoTime() - start) / 1e9;
        long rebalanceStart = System.nanoTime();
        TestSwarm.onManager(node, "service", "update", "--force", "--detach=false", "--quiet", Swarm.service("counter"));
        double rebalanced = (System.nanoTime() - rebalanceStart) / 1e9;
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> Replies.get(TestSwarm.url(node)).statusCode() == 200);
        Map<String, Integer> tasks = TestSwarm.tasks("counter", 0);
        Figures.report("node %d Ready again %.1f s after its start; rebalance (service update --force) took %.1f s; "
                + "replicas now on nodes %s", node, rejoinedAfter, rebalanced, tasks);
        // Updates are start-first: each new replica is placed while its old one still runs, so a rebalance spreads
        // the replicas again but not always one per node.
        assertThat(tasks).hasSize(Swarm.REPLICAS).containsValue(node);
        assertThat(new TreeSet<>(tasks.values())).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(5)
    @DisplayName("losing the primary Redis's node: with HA, counting goes on without it; without, refusals; never a "
            + "repeated or lost number")
    void redisNodeLost() throws Exception {
        if (redisSurvivesNodeLoss) {
            // The node killed before has rejoined: its Redis must be a replica in sync again before the next loss.
            await("both replicas in sync with the primary").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions().until(() -> TestSwarm.replicasInSync() == 2);
        }
        int node = TestSwarm.primary().node();     // the earlier checks may have moved it
        long before = TestSwarm.redisTotal();
        List<Outcome> outcomes;
        double outageSeenAfter;
        double countingAgainAfter;
        long killedAt;
        long restartedAt;
        try (var traffic = new Traffic(TestSwarm.urlsExcept(node), 4, 200_000, Duration.ofMinutes(5), 5)) {
            awaitServed(traffic, 100);
            long refusedAtKill = traffic.refused();
            long servedAtKill = traffic.served();
            killedAt = System.nanoTime();
            TestSwarm.kill(node);
            if (redisSurvivesNodeLoss) {
                awaitServed(traffic, servedAtKill + 200);   // Sentinel promoted a replica on another node
            } else {
                await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                        .until(() -> traffic.refused() >= refusedAtKill + 20);
            }
            outageSeenAfter = (System.nanoTime() - killedAt) / 1e9;
            restartedAt = System.nanoTime();
            TestSwarm.start(node);
            long servedAtRestart = traffic.served();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> traffic.served() >= servedAtRestart + 200);
            countingAgainAfter = (System.nanoTime() - killedAt) / 1e9;
            outcomes = traffic.stop();
        }
        long after = TestSwarm.redisTotal();
        List<Reply> replies = replies(outcomes);
        long distinct = replies.stream().map(Reply::cluster).distinct().count();
        long highest = replies.stream().mapToLong(Reply::cluster).max().orElse(0);
        Map<Integer, Long> statuses = statuses(outcomes);
        Figures.report("killed node %d (the primary Redis's); %s; refusal window %.2f s while it was down; "
                + "counting again %.1f s after the kill; statuses %s (0: no answer within 5 s); %d distinct numbers of "
                + "%d, highest %d; Redis total %d before, %d after the restart", node,
                redisSurvivesNodeLoss ? "HA: still counting after " + String.format("%.1f s", outageSeenAfter)
                        : "one Redis: refusals after " + String.format("%.1f s", outageSeenAfter),
                Traffic.refusalWindow(outcomes, killedAt, restartedAt), countingAgainAfter, statuses, distinct, replies.size(),
                highest, before, after);
        if (!redisSurvivesNodeLoss) {
            assertThat(statuses).containsKey(503);
        }
        assertThat(distinct).as("never a repeated number").isEqualTo(replies.size());
        assertThat(replies).as("never a number Redis did not keep").allMatch(r -> r.cluster() <= after);
        assertThat(after).isGreaterThanOrEqualTo(Math.max(before, highest));
    }

    /** A node running a replica of the counter, other than the one given. */
    private static int nodeWithReplicaBut(int excluded) {
        return TestSwarm.tasks("counter", 0).values().stream().filter(n -> n != excluded).max(Integer::compare)
                .orElseThrow(() -> new IllegalStateException("No replica runs outside node " + excluded));
    }

    private static void awaitServed(Traffic traffic, long served) {
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> traffic.served() >= served);
    }

    private static List<Reply> replies(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::ok).map(Outcome::reply).toList();
    }

    private static String mode() {
        return redisSurvivesNodeLoss ? "Redis HA" : "one Redis";
    }

    /**
     * The requests not answered 200, by who refused: "edge 503" (HAProxy: no ready replica, or every retry of the
     * connection failed), "replica 503" (the service: Redis or the Sentinels' agreement unavailable), "no answer"
     * (within the client's 5 s), or another status.
     */
    private static Map<String, Long> failures(List<Outcome> outcomes) {
        return outcomes.stream().filter(o -> !o.ok()).collect(Collectors.groupingBy(o -> {
            String body = o.error() == null ? "" : o.error();
            if (o.status() == 0) {
                return "no answer";
            }
            if (o.status() == 503 && body.contains("no replica is ready")) {
                return "edge 503";
            }
            if (o.status() == 503 && body.contains("Redis is unavailable")) {
                return "replica 503";
            }
            return "status " + o.status();
        }, TreeMap::new, Collectors.counting()));
    }

    private static Map<Integer, Long> statuses(List<Outcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting()));
    }
}
