package io.github.reqcount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.ClusterViews;
import io.github.reqcount.support.Command;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.Traffic;
import io.github.reqcount.support.Traffic.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * End-to-end checks against a deployed test stack (testing_infrastructure.sh deploys it and passes its URL and
 * name). Traffic goes only to the stack's published port on loopback and, through docker exec, to its own
 * containers. Every loop is bounded in count and time.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackE2E {

    private static final List<String> URLS = List.of(Swarm.URL);

    @Test
    @Order(1)
    @DisplayName("all replicas answer through the published port")
    void allReplicasAnswer() {
        Set<String> seen = new TreeSet<>();
        int sent = 0;
        while (seen.size() < Swarm.REPLICAS && sent < 100) {
            var response = Replies.get(Swarm.URL);
            sent++;
            assertThat(response.statusCode()).isEqualTo(200);
            seen.add(Replies.parse(response.body()).instance());
        }
        Figures.report("%d replicas in %d requests: %s", seen.size(), sent, seen);
        assertThat(seen).hasSize(Swarm.REPLICAS);
    }

    @Test
    @Order(2)
    @DisplayName("3,000 concurrent requests: unique numbers, exact total, ordered local counts")
    void correctUnderLoad() throws Exception {
        long before = Swarm.redisTotal();
        long started = System.nanoTime();
        List<Outcome> outcomes = Traffic.run(URLS, 32, 3_000, Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - started) / 1e9;
        long after = Swarm.redisTotal();

        List<Reply> replies = outcomes.stream().filter(Outcome::ok).map(Outcome::reply).toList();
        long distinct = replies.stream().map(Reply::cluster).distinct().count();
        Figures.report("%d requests over 32 clients in %.1f s, %d x 200, %d distinct numbers, "
                + "Redis total %d -> %d", outcomes.size(), seconds, replies.size(), distinct, before, after);
        assertThat(outcomes).hasSize(3_000).allMatch(Outcome::ok);
        assertThat(distinct).isEqualTo(replies.size());
        assertThat(after - before).isEqualTo(replies.size());
        assertThat(replies).allMatch(r -> r.cluster() > before && r.cluster() <= after);
        assertOrderedPerClient(outcomes);
    }

    @Test
    @Order(3)
    @DisplayName("/cluster lists every replica as live, and their counts plus retired add up to the total")
    void clusterViewAddsUp() throws Exception {
        JsonNode view = ClusterViews.read(Swarm.URL);
        long sum = 0;
        for (JsonNode replica : view.get("replicas")) {
            sum += replica.get("requests").asLong();
        }
        long live = ClusterViews.replicas(view).filter(r -> r.get("live").asBoolean()).count();
        long retired = view.get("retired").asLong();
        Figures.report("total %d, %d replicas listed, %d live, sum of counts %d, retired %d, unattributed %d",
                view.get("total").asLong(), view.get("replicas").size(), live, sum, retired,
                view.get("unattributed").asLong());
        assertThat(live).isEqualTo(Swarm.REPLICAS);
        // Replicas gone for longer than RETIRE_AFTER (a stack kept across runs) count as retired.
        assertThat(sum + retired).isEqualTo(view.get("total").asLong());
        assertThat(view.get("consistent").asBoolean()).isTrue();
    }

    @Test
    @Order(3)
    @DisplayName("Redis on the stack's network: NOAUTH without a password, NOPERM for FLUSHALL as the service")
    void redisRefusesOutsidersAndTheServicesUserCannotErase() throws Exception {
        long before = Swarm.redisTotal();
        String anonymous = Swarm.outsiderCli(null, "get", "total_count");
        String flush = Swarm.outsiderCli(Files.readString(Path.of(System.getProperty("e2e.redis.password.file",
                "secrets/redis-password"))).strip(), "flushall");
        long after = Swarm.redisTotal();
        Figures.report("no password: %s; service's user FLUSHALL: %s; total %d -> %d", anonymous.strip(), flush.strip(),
                before, after);
        assertThat(anonymous).contains("NOAUTH");
        assertThat(flush).contains("NOPERM");
        assertThat(after).isEqualTo(before);
    }

    @Test
    @Order(3)
    @DisplayName("the published port serves no Actuator endpoint")
    void actuatorIsNotPublished() {
        Map<String, Integer> statuses = new java.util.TreeMap<>();
        for (String path : List.of("actuator/prometheus", "actuator/health", "actuator/health/readiness", "actuator")) {
            statuses.put(path, Replies.get(Swarm.URL + path).statusCode());
        }
        Figures.report("%s", statuses);
        assertThat(statuses.values()).containsOnly(404);
    }

    @Test
    @Order(4)
    @DisplayName("a killed replica is replaced, shows as gone then live, restarts at local 1, total continues")
    void killedReplicaIsReplaced() throws Exception {
        String victim = Swarm.containers("counter").get(0);
        String hostname = Swarm.hostname(victim);
        long before = Swarm.redisTotal();
        Swarm.kill(victim);

        long killedAt = System.nanoTime();
        ClusterViews.await(Swarm.URL, view -> ClusterViews.replicas(view)
                .anyMatch(r -> r.get("name").asString().equals(hostname) && !r.get("live").asBoolean()), Duration.ofSeconds(60));
        double goneAfter = (System.nanoTime() - killedAt) / 1e9;

        Reply fresh = null;
        long served = 0;
        List<Long> numbers = new java.util.ArrayList<>();
        for (int i = 0; i < 3_000 && fresh == null && System.nanoTime() - killedAt < 120e9; i++) {
            var response = Replies.get(Swarm.URL);
            if (response.statusCode() == 200) {
                Reply reply = Replies.parse(response.body());
                served++;
                numbers.add(reply.cluster());
                if (reply.instance().equals(hostname)) {
                    fresh = reply;
                }
            }
            Thread.sleep(20);
        }
        double replacedAfter = (System.nanoTime() - killedAt) / 1e9;
        ClusterViews.await(Swarm.URL, view -> ClusterViews.replicas(view).filter(r -> r.get("live").asBoolean()).count()
                == Swarm.REPLICAS, Duration.ofSeconds(60));
        long after = Swarm.redisTotal();

        Figures.report("killed %s; gone in /cluster after %.1f s; first reply from its replacement "
                + "after %.1f s: %s; %d served, Redis total %d -> %d", hostname, goneAfter, replacedAfter, fresh, served,
                before, after);
        assertThat(fresh).as("a reply from the replacement of " + hostname).isNotNull();
        assertThat(fresh.local()).isEqualTo(1);
        assertThat(after - before).as("no gap, no repeat").isEqualTo(served);
        assertThat(new TreeSet<>(numbers)).hasSize(numbers.size()).first().isEqualTo(before + 1);
    }

    @Test
    @Order(5)
    @DisplayName("Redis SIGKILLed under load: 503 during the outage, no acknowledged count lost")
    void redisKilledUnderLoad() throws Exception {
        List<Outcome> outcomes;
        long recoveredAfterMillis;
        try (var traffic = new Traffic(URLS, 4, 200_000, Duration.ofSeconds(150), 5)) {
            await("traffic under way").atMost(Duration.ofSeconds(30)).until(() -> traffic.served() >= 200);
            Swarm.kill(Swarm.containers("redis").get(0));
            long killedAt = System.nanoTime();
            await("the outage seen by a client").atMost(Duration.ofSeconds(30)).until(() -> traffic.refused() > 0);
            long servedAtOutage = traffic.served();
            await("200 more requests counted after the outage").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(250)).until(() -> traffic.served() >= servedAtOutage + 200);
            recoveredAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
            outcomes = traffic.stop();
        }
        long total = Swarm.redisTotal();

        List<Reply> replies = outcomes.stream().filter(Outcome::ok).map(Outcome::reply).toList();
        long highest = replies.stream().mapToLong(Reply::cluster).max().orElse(0);
        Map<Integer, Long> statuses = outcomes.stream().collect(Collectors.groupingBy(Outcome::status, Collectors.counting()));
        long distinct = replies.stream().map(Reply::cluster).distinct().count();
        Figures.report("statuses %s; counting again within %.1f s; highest number given %d, "
                + "Redis total after restart %d; %d distinct of %d", statuses, recoveredAfterMillis / 1e3, highest, total,
                distinct, replies.size());
        assertThat(statuses.keySet()).as("only 200 and 503, never a wrong number").isSubsetOf(200, 503);
        assertThat(statuses).containsKey(503);
        assertThat(distinct).isEqualTo(replies.size());
        assertThat(total).isGreaterThanOrEqualTo(highest);
        assertOrderedPerClient(outcomes);
    }

    @Test
    @Order(6)
    @DisplayName("a rolling update under light load fails no request")
    void rollingUpdateLosesNothing() throws Exception {
        List<Outcome> outcomes;
        long started = System.nanoTime();
        try (var traffic = new Traffic(URLS, 2, 100_000, Duration.ofMinutes(6), 20)) {
            Swarm.docker("service", "update", "--force", "--detach=false", Swarm.service("counter"));
            outcomes = traffic.stop();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<Integer, Long> statuses = outcomes.stream().collect(Collectors.groupingBy(Outcome::status, Collectors.counting()));
        long distinct = outcomes.stream().filter(Outcome::ok).map(o -> o.reply().cluster()).distinct().count();
        Figures.report("update took %.1f s; %d requests, statuses %s, %d distinct numbers", seconds,
                outcomes.size(), statuses, distinct);
        assertThat(outcomes).isNotEmpty().allMatch(Outcome::ok);
        assertThat(distinct).isEqualTo(outcomes.size());
        // Replacements keep their slot's hostname and start their local count again, so only cluster order holds.
        assertClusterOrderPerClient(outcomes);
    }

    @Test
    @Order(7)
    @DisplayName("a scale-out under light load serves on every new replica and fails no request")
    void scaleOutServesOnAllReplicas() throws Exception {
        int target = Swarm.REPLICAS * 2;
        List<Outcome> outcomes;
        double seconds;
        try (var traffic = new Traffic(URLS, 2, 100_000, Duration.ofMinutes(3), 20)) {
            long started = System.nanoTime();
            Swarm.docker("service", "scale", "--detach", Swarm.service("counter") + "=" + target);
            // Serving on all of them: every replica has answered a request through the published port.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> instances(traffic.snapshot()).size() >= target);
            seconds = (System.nanoTime() - started) / 1e9;
            outcomes = traffic.stop();
        } finally {
            Swarm.docker("service", "scale", "--detach=false", Swarm.service("counter") + "=" + Swarm.REPLICAS);
        }
        Map<Integer, Long> statuses = outcomes.stream().collect(Collectors.groupingBy(Outcome::status, Collectors.counting()));
        Figures.report("scale %d -> %d: all %d serving after %.1f s; %d requests, statuses %s", Swarm.REPLICAS, target,
                target, seconds, outcomes.size(), statuses);
        assertThat(outcomes).isNotEmpty().allMatch(Outcome::ok);
        assertThat(instances(outcomes)).hasSize(target);
    }

    private static Set<String> instances(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::ok).map(o -> o.reply().instance()).collect(Collectors.toSet());
    }

    @Test
    @Order(8)
    @DisplayName("a failing test stops start_service.sh: no image built, the stack and its counts untouched")
    void aFailingTestStopsTheRollout(@TempDir Path copy) throws Exception {
        String image = Swarm.docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                Swarm.service("counter")).trim();
        Map<String, String> localsBefore = Swarm.localCounts();
        // A throwaway copy of this tree, with one test that fails.
        run("sh", "-c", "tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C " + copy);
        Files.writeString(copy.resolve("src/test/java/io/github/reqcount/GateProbeTest.java"), """
                package io.github.reqcount;

                class GateProbeTest {
                    @org.junit.jupiter.api.Test
                    void failsOnPurpose() {
                        org.junit.jupiter.api.Assertions.assertEquals(2, 1 + 2);
                    }
                }
                """);
        var builder = new ProcessBuilder("bash", "start_service.sh").directory(copy.toFile());
        builder.environment().putAll(Map.of("STACK_NAME", Swarm.STACK, "SERVICE_PORT", Integer.toString(
                java.net.URI.create(Swarm.URL).getPort()), "VERIFY", "fast"));
        long started = System.nanoTime();
        Command.Result gate = Command.run(builder, Duration.ofMinutes(6));
        String output = gate.output();
        String imageAfter = Swarm.docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                Swarm.service("counter")).trim();
        Map<String, String> localsAfter = Swarm.localCounts();
        Figures.report("start_service.sh exited %d after %.0f s; image %s -> %s; local counts %s -> %s", gate.exit(),
                (System.nanoTime() - started) / 1e9, image, imageAfter, localsBefore, localsAfter);
        assertThat(gate.exit()).as(output).isNotZero();
        assertThat(output).contains("GateProbeTest.failsOnPurpose").contains("target/surefire-reports")
                .doesNotContain("== 5/10");
        assertThat(imageAfter).isEqualTo(image);
        assertThat(localsAfter).isEqualTo(localsBefore);
    }

    private static void run(String... command) throws Exception {
        Command.Result run = Command.run(new ProcessBuilder(command), Duration.ofMinutes(2));
        assertThat(run.exit()).as(String.join(" ", command) + ":\n" + run.output()).isZero();
    }

    /** Each client saw its cluster numbers rise. */
    private static void assertClusterOrderPerClient(List<Outcome> outcomes) {
        Map<Integer, Long> lastCluster = new HashMap<>();
        for (Outcome o : outcomes.stream().filter(Outcome::ok).toList()) {
            Long previous = lastCluster.put(o.client(), o.reply().cluster());
            assertThat(previous == null || previous < o.reply().cluster()).as("cluster order for client " + o.client()).isTrue();
        }
    }

    /** Each client saw its numbers rise: cluster numbers, and local counts per replica. */
    private static void assertOrderedPerClient(List<Outcome> outcomes) {
        assertClusterOrderPerClient(outcomes);
        Map<String, Long> lastLocal = new HashMap<>();
        for (Outcome o : outcomes.stream().filter(Outcome::ok).toList()) {
            Long previousLocal = lastLocal.put(o.client() + "@" + o.reply().instance(), o.reply().local());
            assertThat(previousLocal == null || previousLocal < o.reply().local())
                    .as("local order for client " + o.client() + " at " + o.reply().instance()).isTrue();
        }
    }
}
