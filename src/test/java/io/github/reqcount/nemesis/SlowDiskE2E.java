package io.github.reqcount.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Redis crashes on a slow disk: a real redis-server on loopback with the stack's settings (docker-stack.yml:
 * deploy/redis/start.sh, AOF on, the stack's default appendfsync), its data directory on a disk whose fsync takes
 * over a second (SlowDisk), two service jars in front of it, closed-loop clients recording every request, and Redis
 * SIGKILLed several times under load, each time restarted on the same files. The checker (Checker) then holds the
 * whole history to the service's promise: no number served twice, none acknowledged and then lost.
 *
 * <p>With appendfsync everysec, Redis postpones writing its AOF buffer while a background fsync is slow (for up to
 * 2 s; aof_delayed_fsync counts each time it then writes anyway) and keeps replying meanwhile: a kill in that window loses increments that were
 * acknowledged, and their numbers are handed out again. With always, nothing is acknowledged before its fsync.
 * The run also shows that the window opened: the disk's own count of slow fsyncs, their measured time, and, for
 * everysec, aof_delayed_fsync; a disk that isn't slow fails the run instead of passing it.
 *
 * <p>Settings (system properties, from the slowdisk profile): slowdisk.appendfsync (empty: the stack's default),
 * slowdisk.fsync (2.5s: over the 2 s for which everysec holds back its AOF writes, so that aof_delayed_fsync counts
 * them), slowdisk.kills (8), slowdisk.port (18402; the services take the next four), slowdisk.jar. Needs root,
 * redis-server, python3-fusepy and fuse3. See docs/deployment.md#persistence.
 */
class SlowDiskE2E {

    private static final Path OUT = Path.of("target", "slowdisk");
    private static final int CLIENTS_PER_SERVICE = 4;
    private static final int ANSWERS_BEFORE_KILL = 5;

    private final String appendfsync = System.getProperty("slowdisk.appendfsync", "").isBlank()
            ? stackDefault() : System.getProperty("slowdisk.appendfsync");
    private final Duration fsync = Duration.parse("PT" + System.getProperty("slowdisk.fsync", "2.5s"));
    private final int kills = Integer.getInteger("slowdisk.kills", 8);
    private final int port = Integer.getInteger("slowdisk.port", 18402);
    // Long enough that a transaction waits out the fsync in progress and its own: with the default 500 ms every
    // request on this disk is refused under always (safe, but the run would prove nothing). Lettuce bounds a
    // connection's handshake by it too, and a handshake is a few round trips, each of which may wait out two fsyncs
    // while the other service keeps Redis writing: at four fsyncs a service that lost its connections at a kill
    // timed out every reconnect for minutes, so eight.
    private final Duration commandTimeout = fsync.multipliedBy(8);
    private final Random random = new Random();

    private final List<ServiceProcess> services = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private Process redis;
    private Clients clients;

    @Test
    void crashesOnASlowDiskLoseNoAcknowledgedNumber() throws Exception {
        Path jar = Preflight.jar("slowdisk.jar");
        if (!Shell.exec(Map.of(), List.of("id", "-u")).output().strip().equals("0")) {
            throw new IllegalStateException("the slow disk is a FUSE mount: run as root");
        }
        if (!Shell.has("redis-server") || !Shell.has("redis-cli")) {
            throw new IllegalStateException("missing redis-server or redis-cli: apt-get install redis-server redis-tools");
        }
        SlowDisk.preflight();
        long began = System.nanoTime();
        Files.createDirectories(OUT);
        Path run = Files.createTempDirectory("reqcount-slowdisk");
        log("appendfsync %s, fsync %s, %d kills, Redis on 127.0.0.1:%d, jar %s", appendfsync, fsync, kills, port, jar);
        try (SlowDisk disk = SlowDisk.mount(run.resolve("disk"), fsync, run.resolve("fuse.log"))) {
            try {
                startRedis(disk.mount(), run);
                for (int i = 1; i <= 2; i++) {
                    int servicePort = port + 2 * i - 1;
                    services.add(ServiceProcess.startLocal("svc" + i, jar, servicePort, servicePort + 1, List.of(
                            "--container-db-host=127.0.0.1", "--container-db-port=" + port,
                            "--redis-command-timeout=" + commandTimeout.toMillis() + "ms"), run.resolve("svc" + i + ".log")));
                }
                for (ServiceProcess service : services) {
                    service.awaitReady(Duration.ofMinutes(3));
                }
                clients = new Clients(services, CLIENTS_PER_SERVICE, commandTimeout.plusSeconds(5),
                        Duration.ofMinutes(20));
                clients.start();
                double[] before = disk.fsyncs();
                List<Long> delayed = new ArrayList<>();
                for (int kill = 1; kill <= kills; kill++) {
                    awaitAnswers("kill " + kill, Duration.ofSeconds(60));
                    delayed.add(delayedFsyncs());
                    long start = System.nanoTime();
                    redis.destroyForcibly(); // SIGKILL: start.sh execs redis-server
                    if (!redis.waitFor(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("redis-server outlived SIGKILL by 30 s");
                    }
                    faults.add(new Fault("kill " + kill, "SIGKILL " + kill + " (aof_delayed_fsync "
                            + delayed.get(kill - 1) + ")", start, System.nanoTime(), false, false, Set.of(), Set.of()));
                    startRedis(disk.mount(), run);
                }
                awaitAnswers("end", Duration.ofMinutes(3));
                List<Op> history = clients.stop();
                clients = null;
                double[] after = disk.fsyncs();
                long total = Long.parseLong(cli("GET", RedisKeys.TOTAL).strip());
                check(history, total, delayed, after[0] - before[0], after[1] - before[1], began);
            } finally {
                if (clients != null) {
                    clients.stop();
                }
                services.forEach(ServiceProcess::stop);
                if (redis != null) {
                    redis.destroyForcibly();
                    redis.waitFor(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            NemesisE2E.keepLogs(run, OUT);
            NemesisE2E.deleteTree(run);
        }
    }

    private void check(List<Op> history, long total, List<Long> delayed, double slowFsyncs, double fsyncSeconds,
            long began) throws IOException {
        Checker.Verdict verdict = Checker.check(history, total, faults, Duration.ofDays(1));
        double meanFsync = slowFsyncs == 0 ? 0 : fsyncSeconds / slowFsyncs;
        long delayedSum = delayed.stream().mapToLong(Long::longValue).sum();
        String header = String.format("## Slow-disk crash run: appendfsync %s, fsync %.2f s (measured mean %.2f s over"
                + " %,.0f slow fsyncs), %d SIGKILLs under load from %d clients over %d services; aof_delayed_fsync"
                + " before each kill %s (sum %d); %.1f min wall clock", appendfsync, fsync.toMillis() / 1000.0,
                meanFsync, slowFsyncs, kills, CLIENTS_PER_SERVICE * services.size(), services.size(), delayed,
                delayedSum, (System.nanoTime() - began) / 60e9);
        String report = Report.markdown(verdict, services.stream().map(s -> s.name).toList(), header);
        Files.writeString(OUT.resolve("report.md"), report + (verdict.repeats().isEmpty() ? ""
                : "\nRepeated numbers (number×times): " + Report.repeatsDetail(verdict.repeats()) + "\n"));
        try (var out = Files.newBufferedWriter(OUT.resolve("history.tsv"))) {
            out.write(Op.TSV_HEADER + "\n");
            for (Op op : history) {
                out.write(op.tsv() + "\n");
            }
        }
        System.out.println(report);
        // The window opened, or the run proves nothing: the disk was slow, for every kill, and everysec delayed.
        List<String> failures = new ArrayList<>(verdict.failures());
        if (meanFsync < fsync.toMillis() / 1000.0 * 0.9 || slowFsyncs < kills) {
            failures.add(String.format("the disk was not slow: %,.0f slow fsyncs of %.2f s on average, for %d kills",
                    slowFsyncs, meanFsync, kills));
        }
        if (appendfsync.equals("everysec") && delayedSum == 0) {
            failures.add("aof_delayed_fsync stayed 0: Redis never wrote its AOF late, the window did not open");
        }
        assertThat(failures).as("the slow-disk run (table in %s)", OUT.resolve("report.md")).isEmpty();
    }

    /**
     * Waits until each service has handed out a few numbers more: the next kill lands under load, and no replica is
     * left refusing for good.
     */
    private void awaitAnswers(String label, Duration limit) {
        clients.scenario(label);
        List<Long> from = answered();
        long deadline = System.nanoTime() + limit.toNanos();
        List<Long> gained;
        while ((gained = gained(from)).stream().anyMatch(g -> g < ANSWERS_BEFORE_KILL)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("fewer than " + ANSWERS_BEFORE_KILL + " numbers handed out by each"
                        + " service within " + limit.toSeconds() + " s of " + label + "'s start: " + gained + " by "
                        + services.stream().map(s -> s.name).toList());
            }
            Cluster.sleep(Duration.ofMillis(50));
        }
        Cluster.sleep(Duration.ofMillis(500 + random.nextInt(1500)));
    }

    private List<Long> answered() {
        return services.stream().map(s -> clients.answered(s.name)).toList();
    }

    private List<Long> gained(List<Long> from) {
        List<Long> now = answered();
        return IntStream.range(0, now.size()).mapToObj(i -> now.get(i) - from.get(i)).toList();
    }

    /** The stack's Redis: deploy/redis/start.sh with docker-stack.yml's arguments, here on loopback, no auth. */
    private void startRedis(Path dir, Path run) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", "deploy/redis/start.sh", "--appendonly", "yes",
                "--appendfsync", appendfsync, "--dir", dir.toString(), "--protected-mode", "no",
                "--bind", "127.0.0.1", "--port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(run.resolve("redis.log")
                        .toFile()));
        builder.environment().putAll(Map.of("REDIS_AUTH", "false", "ACL_TEMPLATE",
                Path.of("deploy/redis/users.acl").toAbsolutePath().toString(), "ACL_FILE",
                run.resolve("users.acl").toString()));
        redis = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cli("PING").strip().equals("PONG")) { // loading the AOF answers -LOADING
            if (!redis.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not start within 30 s (see redis.log)");
            }
            Cluster.sleep(Duration.ofMillis(100));
        }
    }

    private long delayedFsyncs() {
        Matcher matcher = Pattern.compile("aof_delayed_fsync:(\\d+)").matcher(cli("INFO", "persistence"));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }

    private String cli(String... command) {
        List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(port)));
        args.addAll(List.of(command));
        return Shell.exec(Map.of(), args).output();
    }

    /** The default in docker-stack.yml's "--appendfsync", "${REDIS_APPENDFSYNC:-...}". */
    private static String stackDefault() {
        try {
            Matcher matcher = Pattern.compile("REDIS_APPENDFSYNC:-(\\w+)").matcher(Files.readString(
                    Path.of("docker-stack.yml")));
            if (!matcher.find()) {
                throw new IllegalStateException("docker-stack.yml names no default REDIS_APPENDFSYNC");
            }
            return matcher.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[slowdisk %tT] %s%n", System.currentTimeMillis(), String.format(format, args));
    }
}
