package io.github.reqcount.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A Jepsen-style nemesis: three network namespaces on a bridge, each a node holding one Redis and one Sentinel
 * (deploy/redis-ha/, the stack's placement and settings), the service jar on nodes 1 and 3, closed-loop clients on the
 * host recording every request, and real faults between the nodes (iptables DROP, SIGSTOP, SIGKILL). The checker
 * then looks at the whole history (Checker). Run by the nemesis profile, as root; see docs/network-faults.md.
 *
 * <p>Settings (system properties, mapped from the profile): nemesis.scenarios (a,b,c,e,f,pause,sentinel-kill),
 * nemesis.f.rounds (5), nemesis.flap.seconds (120), nemesis.minutes (0: no soak; else rounds of f and flapping
 * alternate for that many minutes after the scenarios), nemesis.recovery.bound (5s), nemesis.seed, nemesis.jar.
 */
class NemesisE2E {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final int[] SERVICE_NODES = {1, 3};
    private static final Path OUT = Path.of("target", "nemesis");

    private final List<String> scenarios = Arrays.stream(
            System.getProperty("nemesis.scenarios", "a,b,c,e,f,pause,sentinel-kill").split(","))
            .map(String::strip).filter(name -> !name.isEmpty()).toList();
    private final int fRounds = Integer.getInteger("nemesis.f.rounds", 5);
    private final int flapSeconds = Integer.getInteger("nemesis.flap.seconds", 120);
    private final double soakMinutes = Double.parseDouble(System.getProperty("nemesis.minutes", "0"));
    private final Duration recoveryBound = Duration.parse("PT" + System.getProperty("nemesis.recovery.bound", "5s"));
    private final long seed = Long.getLong("nemesis.seed", System.currentTimeMillis());
    private final Random random = new Random(seed);

    private final List<RedisNode> nodes = new ArrayList<>();
    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private Cluster cluster;
    private Clients clients;
    private String scenario = "start";

    @Test
    void historyUnderNetworkFaultsIsSafe() throws Exception {
        Path jar = Preflight.check();
        long began = System.nanoTime();
        Files.createDirectories(OUT);
        Path run = Files.createTempDirectory("reqcount-nemesis");
        Secrets secrets = Secrets.write(run.resolve("secrets"));
        cluster = new Cluster(secrets);
        Path repo = Path.of("").toAbsolutePath();
        try {
            log("seed %d, scenarios %s, %d rounds of f, %d s of flapping, soak %.1f min, recovery bound %s, jar %s",
                    seed, scenarios, fRounds, flapSeconds, soakMinutes, recoveryBound, jar);
            Network.up();
            for (int node = 1; node <= Network.NODES; node++) {
                nodes.add(new RedisNode(node, repo, run, secrets));
            }
            nodes.forEach(RedisNode::startRedis);
            Cluster.sleep(Duration.ofSeconds(1)); // the replicas find the primary; the Sentinels then find them all
            nodes.forEach(RedisNode::startSentinel);
            log("Redis set converged, primary on node %d", cluster.awaitConverged(CONVERGE));
            for (int node : SERVICE_NODES) {
                String name = "svc" + node;
                services.add(ServiceProcess.start(name, node, jar, secrets, run.resolve(name + ".log")));
            }
            for (ServiceProcess service : services) {
                service.awaitReady(Duration.ofMinutes(6)); // a loaded machine starts a JVM slowly
            }
            log("services ready");
            clients = new Clients(services, 3, Duration.ofSeconds(2), Duration.ofHours(6));
            label("baseline");
            clients.start();
            Cluster.sleep(Duration.ofSeconds(5));
            for (String name : scenarios) {
                runScenario(name);
            }
            soak();
            label("end");
            Network.heal();
            int primary = cluster.awaitConverged(CONVERGE);
            Cluster.sleep(Duration.ofSeconds(2));
            List<Op> history = clients.stop();
            clients = null;
            long total = cluster.totalCount(cluster.awaitConverged(CONVERGE));
            log("%,d requests; final total %,d on node %d", history.size(), total, primary);

            Checker.Verdict verdict = Checker.check(history, total, faults, recoveryBound);
            List<String> names = services.stream().map(s -> s.name).toList();
            String header = String.format("## Nemesis run: seed %d, scenarios %s, %d rounds of f, soak %.1f min;"
                    + " %.1f min wall clock", seed, scenarios.isEmpty() ? "(none)" : String.join(",", scenarios), fRounds, soakMinutes,
                    (System.nanoTime() - began) / 60e9);
            String report = Report.markdown(verdict, names, header);
            write(history, verdict, report);
            System.out.println(report);
            assertThat(verdict.failures()).as("the nemesis's checker (table in %s)", OUT.resolve("report.md"))
                    .isEmpty();
        } finally {
            if (clients != null) {
                clients.stop();
            }
            services.forEach(ServiceProcess::stop);
            nodes.forEach(RedisNode::stop);
            Network.down();
            keepLogs(run, OUT);
            deleteTree(run);
        }
    }

    private void runScenario(String name) {
        int primary = cluster.awaitConverged(CONVERGE);
        label(name);
        switch (name) {
            case "a" -> isolatePrimary("primary's node isolated 15 s", primary, Duration.ofSeconds(15));
            case "b" -> isolate("replica's node isolated 15 s", replica(primary), Duration.ofSeconds(15));
            case "c" -> {
                int replica = replica(primary);
                Network.cut(primary, replica);
                long start = System.nanoTime();
                Cluster.sleep(Duration.ofSeconds(15));
                Network.heal();
                faults.add(new Fault(name, "link " + primary + "-" + replica + " cut 15 s", start, System.nanoTime(),
                        false, false, Set.of(), Set.of()));
            }
            case "d" -> throw new IllegalArgumentException("scenario d (Sentinels apart from their Redis) is not built:"
                    + " it needs the Sentinels in namespaces of their own");
            case "e" -> flap(Duration.ofSeconds(flapSeconds));
            case "f" -> {
                for (int round = 1; round <= fRounds; round++) {
                    shortCut(round);
                }
            }
            case "pause" -> pausePrimary(primary);
            case "sentinel-kill" -> killSentinelDuringFailover(primary);
            default -> throw new IllegalArgumentException("unknown scenario " + name
                    + ": choose from a, b, c, e, f, pause, sentinel-kill");
        }
        Network.heal();
        log("%s: healed; the set converged, primary on node %d", name, cluster.awaitConverged(CONVERGE));
        Cluster.sleep(Duration.ofSeconds(2));
    }

    /** f: the primary's node cut off for 1.6-4.0 s (around down-after, 1.5 s), healed before a failover completes. */
    private void shortCut(int round) {
        int primary = cluster.awaitConverged(CONVERGE);
        Duration cut = Duration.ofMillis(1600 + random.nextInt(2401));
        isolatePrimary("round " + round + ": primary's node " + primary + " isolated " + cut.toMillis() + " ms",
                primary, cut);
        log("f round %d: node %d cut %d ms; converged, primary on node %d", round, primary, cut.toMillis(),
                cluster.awaitConverged(CONVERGE));
        Cluster.sleep(Duration.ofSeconds(2));
    }

    private void isolatePrimary(String what, int primary, Duration length) {
        Network.isolate(Set.of(primary));
        long start = System.nanoTime(); // once every rule is in place
        Cluster.sleep(length);
        Network.heal();
        faults.add(new Fault(scenario, what, start, System.nanoTime(), true, true, servicesOn(primary),
                servicesOff(primary)));
    }

    private void isolate(String what, int node, Duration length) {
        Network.isolate(Set.of(node));
        long start = System.nanoTime();
        Cluster.sleep(length);
        Network.heal();
        faults.add(new Fault(scenario, what, start, System.nanoTime(), false, false, servicesOn(node),
                servicesOff(node)));
    }

    /** e: random partitions (one node apart, or one link cut) of 0.5-5 s, with 0.5-5 s healed between them. */
    private void flap(Duration length) {
        long end = System.nanoTime() + length.toNanos();
        for (int i = 0; i < 1000 && System.nanoTime() < end; i++) {
            long start = System.nanoTime();
            int a = 1 + random.nextInt(Network.NODES);
            String what;
            if (random.nextBoolean()) {
                Network.isolate(Set.of(a));
                what = "node " + a + " isolated";
            } else {
                int b = 1 + (a + random.nextInt(Network.NODES - 1)) % Network.NODES;
                Network.cut(a, b);
                what = "link " + a + "-" + b + " cut";
            }
            Cluster.sleep(Duration.ofMillis(500 + random.nextInt(4501)));
            Network.heal();
            faults.add(new Fault(scenario, what, start, System.nanoTime(), false, false, Set.of(), Set.of()));
            Cluster.sleep(Duration.ofMillis(500 + random.nextInt(4501)));
        }
    }

    /** pause: the primary's redis-server stopped for 3 s (a GC or VM pause) and resumed. */
    private void pausePrimary(int primary) {
        String pid = String.valueOf(cluster.redisPid(primary));
        long start = System.nanoTime();
        Shell.run("kill", "-STOP", pid);
        try {
            Cluster.sleep(Duration.ofSeconds(3));
        } finally {
            Shell.run("kill", "-CONT", pid);
        }
        faults.add(new Fault(scenario, "node " + primary + "'s redis-server paused 3 s", start, System.nanoTime(),
                false, false, Set.of(), Set.of()));
    }

    /**
     * sentinel-kill: the primary's node isolated, which starts a failover; a Sentinel on the majority side is
     * SIGKILLed once it logs +odown or +try-failover, and started again (sentinel-start.sh) 3 s later.
     */
    private void killSentinelDuringFailover(int primary) {
        Map<RedisNode, Long> logSizes = nodes.stream().filter(n -> n.node != primary)
                .collect(Collectors.toMap(n -> n, n -> size(n.sentinelLog())));
        Network.isolate(Set.of(primary));
        long start = System.nanoTime();
        RedisNode victim = null;
        for (int i = 0; i < 100 && victim == null; i++) {
            Cluster.sleep(Duration.ofMillis(100));
            victim = logSizes.keySet().stream().filter(n -> failoverLogged(n, logSizes.get(n)))
                    .min(Comparator.comparingInt(n -> n.node)).orElse(null);
        }
        assertThat(victim).as("a majority-side Sentinel logged +odown or +try-failover within 10 s").isNotNull();
        log("sentinel-kill: SIGKILL the Sentinel on node %d", victim.node);
        victim.killSentinel();
        Cluster.sleep(Duration.ofSeconds(3));
        victim.startSentinel();
        Cluster.sleep(Duration.ofNanos(Math.max(0, start + Duration.ofSeconds(15).toNanos() - System.nanoTime())));
        Network.heal();
        faults.add(new Fault(scenario, "primary's node " + primary + " isolated 15 s, Sentinel " + victim.node
                + " killed and restarted", start, System.nanoTime(), true, false, servicesOn(primary),
                servicesOff(primary)));
    }

    /** After the scenarios, with nemesis.minutes set: rounds of f and 30 s of flapping, until the time is up. */
    private void soak() {
        if (soakMinutes <= 0) {
            return;
        }
        label("soak (f and e)");
        long end = System.nanoTime() + (long) (soakMinutes * 60e9);
        for (int round = 1; round <= 10_000 && System.nanoTime() < end; round++) {
            shortCut(round);
            flap(Duration.ofSeconds(30));
            Network.heal();
        }
    }

    private int replica(int primary) {
        // Prefer a replica with a service beside it, so that one side shows what it costs.
        for (int node : SERVICE_NODES) {
            if (node != primary) {
                return node;
            }
        }
        return primary % Network.NODES + 1;
    }

    private Set<String> servicesOn(int node) {
        return services.stream().filter(s -> s.node == node).map(s -> s.name).collect(Collectors.toSet());
    }

    private Set<String> servicesOff(int node) {
        return services.stream().filter(s -> s.node != node).map(s -> s.name).collect(Collectors.toSet());
    }

    private void label(String name) {
        scenario = name;
        if (clients != null) {
            clients.scenario(name);
        }
        log("scenario %s", name);
    }

    private static boolean failoverLogged(RedisNode node, long since) {
        try {
            String log = Files.readString(node.sentinelLog());
            String recent = log.substring((int) Math.min(since, log.length()));
            return recent.contains("+odown") || recent.contains("+try-failover");
        } catch (IOException e) {
            return false;
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private void write(List<Op> history, Checker.Verdict verdict, String report) throws IOException {
        Files.writeString(OUT.resolve("report.md"), report
                + (verdict.repeats().isEmpty() ? "" : "\nRepeated numbers (number×times): "
                + Report.repeatsDetail(verdict.repeats()) + "\n"));
        try (var out = Files.newBufferedWriter(OUT.resolve("history.tsv"))) {
            out.write(Op.TSV_HEADER + "\n");
            for (Op op : history) {
                out.write(op.tsv() + "\n");
            }
        }
        try (var out = Files.newBufferedWriter(OUT.resolve("faults.tsv"))) {
            out.write(Fault.TSV_HEADER + "\n");
            for (Fault fault : faults) {
                out.write(fault.tsv() + "\n");
            }
        }
    }

    /** Copies the run's logs into out/logs, named by their path in the run. */
    static void keepLogs(Path run, Path out) throws IOException {
        Path logs = Files.createDirectories(out.resolve("logs"));
        try (Stream<Path> files = Files.walk(run)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(file, logs.resolve(run.relativize(file).toString().replace('/', '-')),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[nemesis %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    }
}
