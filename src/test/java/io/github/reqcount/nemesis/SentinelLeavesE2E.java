package io.github.reqcount.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A node drained, as Swarm drains one, under load: the node's Sentinel and Redis replica stop (SIGTERM), and then
 * the node goes away in one of the ways a drained or lost Swarm task does. Two Sentinels of three stay, live and
 * agreeing on the primary, so the services on the other nodes must go on counting: every request 200.
 *
 * <p>The nodes and their processes go by names (redis-N, sentinel-N) served by a name server of the test's own
 * (NameServer), as Docker's embedded DNS serves a stack's tasks. The ways to leave (nemesis.leave.ways):
 * <ul>
 * <li>{@code stopped}: the processes stop; the address stays and refuses connections;</li>
 * <li>{@code unplugged}: the node also leaves the bridge (nothing answers at its address) and its names are
 *     unknown at once (NXDOMAIN);</li>
 * <li>{@code unplugged-slow-dns}: as unplugged, but the name server answers for the gone names only after
 *     nemesis.leave.dns.delay (1s), as Docker's does while the upstream resolvers it forwards unknown names to
 *     are slow or unreachable;</li>
 * <li>{@code dropped}: the processes stop and every packet to the node is dropped (iptables); names resolve.</li>
 * </ul>
 * Each way lasts nemesis.leave.seconds (35: more than twice Sentinel's 15 s link reconnect period); the node then
 * rejoins and the set converges before the next. Runs in the nemesis profile, as root.
 */
class SentinelLeavesE2E {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final int LEAVES = 2;
    private static final int[] SERVICE_NODES = {1, 3};
    private static final Path OUT = Path.of("target", "nemesis-leaves");

    private final List<String> ways = Arrays.stream(System.getProperty("nemesis.leave.ways",
            "stopped,unplugged,unplugged-slow-dns,dropped").split(",")).map(String::strip).filter(w -> !w.isEmpty())
            .toList();
    private final Duration dnsDelay = Duration.parse("PT" + System.getProperty("nemesis.leave.dns.delay", "1s"));
    private final Duration leave = Duration.ofSeconds(Integer.getInteger("nemesis.leave.seconds", 35));

    private final List<RedisNode> nodes = new ArrayList<>();
    private final List<ServiceProcess> services = new ArrayList<>();

    @Test
    void twoLiveSentinelsOfThreeKeepTheServicesCountingWhileANodeLeaves() throws Exception {
        Path jar = Preflight.check();
        Files.createDirectories(OUT);
        Path run = Files.createTempDirectory("reqcount-leaves");
        Secrets secrets = Secrets.write(run.resolve("secrets"));
        Cluster cluster = new Cluster(secrets);
        Path repo = Path.of("").toAbsolutePath();
        Clients clients = null;
        Network.up();
        Network.useNameServer();
        try (NameServer dns = new NameServer(Network.nameServer())) {
            for (int node = 1; node <= Network.NODES; node++) {
                dns.add(Network.redisName(node), Network.ip(node));
                dns.add(Network.sentinelName(node), Network.ip(node));
                nodes.add(new RedisNode(node, repo, run, secrets, true));
            }
            nodes.forEach(RedisNode::startRedis);
            Cluster.sleep(Duration.ofSeconds(1));
            nodes.forEach(RedisNode::startSentinel);
            int primary = cluster.awaitConverged(CONVERGE);
            assertThat(primary).as("the first primary").isNotEqualTo(LEAVES);
            String sentinels = Cluster.named(Network::sentinelName, RedisNode.SENTINEL_PORT);
            for (int node : SERVICE_NODES) {
                services.add(ServiceProcess.start("svc" + node, node, jar, secrets, run.resolve("svc" + node + ".log"),
                        sentinels, List.of("--logging.level.io.github.reqcount.redis=DEBUG")));
            }
            for (ServiceProcess service : services) {
                service.awaitReady(Duration.ofMinutes(6)); // a loaded machine starts a JVM slowly
            }
            clients = new Clients(services, 3, Duration.ofSeconds(2), Duration.ofHours(1));
            clients.scenario("baseline");
            clients.start();
            Cluster.sleep(Duration.ofSeconds(5));
            for (String way : ways) {
                log("node %d leaves: %s", LEAVES, way);
                clients.scenario(way);
                leave(way, dns);
                Cluster.sleep(leave);
                clients.scenario(way + ", back");
                rejoin(way, dns);
                log("node %d back; the set converged, primary on node %d", LEAVES, cluster.awaitConverged(CONVERGE));
                Cluster.sleep(Duration.ofSeconds(3));
            }
            List<Op> history = clients.stop();
            clients = null;

            Map<String, String> table = new LinkedHashMap<>();
            Map<String, Long> refused = new LinkedHashMap<>();
            for (String way : ways) {
                List<Op> during = history.stream().filter(op -> op.scenario().equals(way)).toList();
                List<Op> failed = during.stream().filter(op -> !op.ok()).toList();
                refused.put(way, (long) failed.size());
                table.put(way, String.format("%,d requests, %,d not 200 %s%s", during.size(), failed.size(),
                        failed.stream().collect(Collectors.groupingBy(op -> op.status() == 0 ? op.error()
                                : String.valueOf(op.status()), Collectors.counting())),
                        failed.isEmpty() ? "" : String.format(" within %.1f s", (failed.get(failed.size() - 1).recvNs()
                                - failed.get(0).sendNs()) / 1e9)));
            }
            String report = table.entrySet().stream().map(e -> "- " + e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining("\n", "## A node leaves (node " + LEAVES + ", " + leave.toSeconds() + " s each)\n", "\n"));
            Files.writeString(OUT.resolve("report.md"), report);
            System.out.println(report);
            assertThat(refused).as("requests not answered 200 while node %d was gone (%s)", LEAVES,
                    OUT.resolve("report.md")).allSatisfy((way, count) -> assertThat(count).as(way).isZero());
        } finally {
            if (clients != null) {
                clients.stop();
            }
            services.forEach(ServiceProcess::stop);
            nodes.forEach(RedisNode::stop);
            Network.down();
            keepLogs(run);
            try (var files = Files.walk(run)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void leave(String way, NameServer dns) {
        RedisNode node = nodes.get(LEAVES - 1);
        node.terminate();
        switch (way) {
            case "stopped" -> { }
            case "unplugged", "unplugged-slow-dns" -> {
                Network.unplug(LEAVES);
                Duration delay = way.equals("unplugged") ? Duration.ZERO : dnsDelay;
                dns.remove(Network.redisName(LEAVES), delay);
                dns.remove(Network.sentinelName(LEAVES), delay);
            }
            case "dropped" -> Network.isolate(Set.of(LEAVES));
            default -> throw new IllegalArgumentException("unknown way " + way
                    + ": choose from stopped, unplugged, unplugged-slow-dns, dropped");
        }
    }

    private void rejoin(String way, NameServer dns) {
        if (way.startsWith("unplugged")) {
            Network.plug(LEAVES);
        }
        Network.heal();
        dns.add(Network.redisName(LEAVES), Network.ip(LEAVES));
        dns.add(Network.sentinelName(LEAVES), Network.ip(LEAVES));
        RedisNode node = nodes.get(LEAVES - 1);
        node.startRedis();
        node.startSentinel();
    }

    private static void keepLogs(Path run) throws java.io.IOException {
        Path logs = Files.createDirectories(OUT.resolve("logs"));
        try (var files = Files.walk(run)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(file, logs.resolve(run.relativize(file).toString().replace('/', '-')),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[leaves %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    }
}
