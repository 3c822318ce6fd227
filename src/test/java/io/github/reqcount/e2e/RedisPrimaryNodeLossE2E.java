package io.github.reqcount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.Traffic;
import io.github.reqcount.support.Traffic.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Replicated Redis on the multi-node test swarm (scripts/test-swarm.sh, REDIS_HA on): `docker kill` of the node
 * container that holds the primary, under load through the other nodes' ports. The service answers 200 again
 * without that node coming back, no number repeats, and the new primary's total is at least the highest number
 * served. Runs only against a multi-node stack with Sentinel (-De2e.multiNode=true); the single-node stack has one
 * Redis, and StackE2E covers it.
 *
 * <p>Assumes the test swarm's conventions: node i is the host container reqcount-node-i, answering on
 * 127.0.0.1:(18090+i), DOCKER_HOST points at node 1 (so the primary is first moved off node 1 if it is there),
 * and the host's own engine is reachable at unix:///var/run/docker.sock to kill a node.
 */
@EnabledIfSystemProperty(named = "e2e.multiNode", matches = "true")
class RedisPrimaryNodeLossE2E {

    private static final int NODES = Integer.getInteger("e2e.nodes", 3);
    private static final String HOST_ENGINE = System.getProperty("e2e.hostEngine", "unix:///var/run/docker.sock");

    @Test
    @DisplayName("the primary's node killed under load: 200 again without it, no repeats, no acknowledged number lost")
    void primaryNodeKilled() throws Exception {
        if (primaryNode().equals(nodeName(1))) {
            sentinel("sentinel", "failover", "reqcount");
            await("the primary off node 1 (it runs DOCKER_HOST)").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> !primaryNode().equals(nodeName(1)));
        }
        String victim = primaryNode();
        int victimIndex = Integer.parseInt(victim.substring(victim.lastIndexOf('-') + 1));
        List<String> urls = IntStream.rangeClosed(1, NODES).filter(i -> i != victimIndex)
                .mapToObj(i -> "http://127.0.0.1:" + (18090 + i) + "/").toList();

        try (var traffic = new Traffic(urls, 8, 200_000, Duration.ofMinutes(3), 5)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> traffic.served() >= 200);
            long killedAt = System.nanoTime();
            hostDocker("kill", victim);
            long servedAtKill = traffic.served();
            await("200s again without node " + victim).atMost(Duration.ofSeconds(60))
                    .until(() -> traffic.served() > servedAtKill + 200);
            List<Outcome> outcomes = traffic.stop();

            List<Long> numbers = outcomes.stream().filter(Outcome::ok).map(o -> o.reply().cluster()).toList();
            long highest = numbers.stream().mapToLong(Long::longValue).max().orElse(0);
            long total = Long.parseLong(sentinelOnRedis("get", "total_count").trim());
            double window = window(outcomes, killedAt);
            Figures.report("killed %s (the primary's node); 503 window %.2f s; %d x 200, %d refused; %d distinct; "
                    + "highest %d, new primary %s total %d", victim, window, numbers.size(),
                    outcomes.size() - numbers.size(), numbers.stream().distinct().count(), highest, primaryHost(), total);
            assertThat(numbers).doesNotHaveDuplicates();
            assertThat(total).isGreaterThanOrEqualTo(highest);
        } finally {
            hostDocker("start", victim);       // the node rejoins; the Redis on it comes back as a replica
        }
    }

    /** From the first non-200 after the kill to the first 200 after the last non-200, in seconds. */
    private static double window(List<Outcome> outcomes, long killedAt) {
        List<Outcome> after = outcomes.stream().filter(o -> o.nanos() >= killedAt)
                .sorted(Comparator.comparingLong(Outcome::nanos)).toList();
        List<Outcome> refused = after.stream().filter(o -> !o.ok()).toList();
        if (refused.isEmpty()) {
            return 0;
        }
        long last = refused.get(refused.size() - 1).nanos();
        return after.stream().filter(o -> o.ok() && o.nanos() > last).findFirst()
                .map(o -> (o.nanos() - refused.get(0).nanos()) / 1e9).orElse(Double.NaN);
    }

    private static String nodeName(int i) {
        return "reqcount-node-" + i;
    }

    /** The Redis service the Sentinels name as primary (its service name, e.g. redis-2). */
    private static String primaryHost() {
        return sentinel("sentinel", "get-master-addr-by-name", "reqcount").lines().findFirst().orElseThrow().trim();
    }

    /** The swarm node running the primary's task. */
    private static String primaryNode() {
        return Swarm.docker("service", "ps", Swarm.service(primaryHost()), "--filter", "desired-state=running",
                "--format", "{{.Node}}").trim();
    }

    /** redis-cli against the local Sentinel, inside a running Sentinel container. */
    private static String sentinel(String... command) {
        return cli(List.of("-p", "26379"), command);
    }

    /** redis-cli against the primary, from inside a Sentinel container (Redis is never published). */
    private static String sentinelOnRedis(String... command) {
        return cli(List.of("-h", primaryHost(), "-p", "6379"), command);
    }

    private static String cli(List<String> target, String... command) {
        for (String service : List.of("sentinel-1", "sentinel-2", "sentinel-3")) {
            List<String> containers = Swarm.containers(service);
            if (containers.isEmpty()) {
                continue;
            }
            var args = new ArrayList<>(List.of("exec", containers.get(0), "sh", "-c",
                    "REDISCLI_AUTH=\"$(cat /run/secrets/redis-password 2>/dev/null)\" exec redis-cli --no-auth-warning --raw \"$@\"",
                    "cli"));
            args.addAll(target);
            args.addAll(List.of(command));
            return Swarm.docker(args.toArray(String[]::new));
        }
        throw new IllegalStateException("No Sentinel container runs on the node DOCKER_HOST points at");
    }

    private static void hostDocker(String... args) {
        var command = new ArrayList<>(List.of("-H", HOST_ENGINE));
        command.addAll(List.of(args));
        Swarm.docker(command.toArray(String[]::new));
    }
}
