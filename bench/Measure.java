import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The loopback measurement that bench/measure.sh runs (its header lists the variants and the settings): starts a
 * throwaway Redis (and, with HA, a primary and its replica) and the services, runs wrk against each in turn, and
 * writes the raw rows. In three parts: the processes it starts and stops ({@link #startRedis}, {@link #startService}),
 * one measured run ({@link #wrk}, {@link #measureGet}, {@link #measureBaseline}), and the run as a whole ({@link #main}).
 */
public class Measure {

    static final Map<String, String> ENV = System.getenv();
    static final List<String> CONNS = List.of(env("BENCH_CONNS", "16 64 256").trim().split("\\s+"));
    static final int REPEATS = Integer.parseInt(env("BENCH_REPEATS", "5"));
    static final int SECONDS = Integer.parseInt(env("BENCH_SECONDS", "6"));
    static final int C1_SECONDS = Integer.parseInt(env("BENCH_C1_SECONDS", "3"));
    static final int WARMUP_SECONDS = Integer.parseInt(env("BENCH_WARMUP_SECONDS", "10"));
    static final int REDIS_N = Integer.parseInt(env("BENCH_REDIS_N", "200000"));
    static final String JAVA = env("BENCH_JAVA", "java");
    static final String JAVA_OPTS = env("BENCH_JAVA_OPTS", "");
    static final String APP_ARGS = env("BENCH_APP_ARGS", "");
    static final boolean PER_REQUEST = env("BENCH_PER_REQUEST", "1").equals("1");
    static final boolean HA = env("BENCH_HA", "1").equals("1");
    static final boolean DURABLE = env("BENCH_DURABLE", "1").equals("1");
    static final int QUIET_WAIT = Integer.parseInt(env("BENCH_QUIET_WAIT", "120"));
    static final Path WORK = Path.of(env("BENCH_OUT", "bench/results"), "tmp/run");
    static final String JAR = env("BENCH_JAR", "");
    static final String LUA = Path.of("bench/report.lua").toAbsolutePath().toString();
    static final int CORES = Runtime.getRuntime().availableProcessors();
    static final double HZ = Double.parseDouble(output("getconf", "CLK_TCK").trim());
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    static final List<Process> STARTED = new ArrayList<>();
    static final List<Service> SERVICES = new ArrayList<>();
    static Path raw;

    record Service(String variant, int port, int mgmt, int redisPort, Process process, long startupMs) {}

    record Run(String rps, String p50, String p99, long ok, String others, String cpu, String csw) {}

    static String env(String name, String otherwise) {
        String v = ENV.get(name);
        return v == null || v.isEmpty() ? otherwise : v;
    }

    static void log(String line) {
        System.out.println("[bench] " + line);
    }

    static RuntimeException die(String why) {
        System.err.println("[bench] ERROR: " + why);
        System.exit(1);
        return new IllegalStateException(why);
    }

    /** printf's %.Nf: the exact value, ties to even. */
    static String fmt(double v, int digits) {
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    static String output(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            throw die("could not run " + String.join(" ", command) + ": " + e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw die("interrupted");
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    static void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw die("cannot write " + file + ": " + e);
        }
    }

    // ---- the processes: Redis and the services, on loopback, stopped however the run ends ---------------------

    /** A port on loopback that nothing listens on, in FROM..FROM+9: the bench keeps to 18300-18399. */
    static int freePort(int from) {
        for (int p = from; p < from + 10; p++) {
            try {
                new Socket("127.0.0.1", p).close(); // something answers: taken
            } catch (ConnectException e) {
                return p;
            } catch (IOException e) {
                // neither refused nor answered: try the next
            }
        }
        throw die("no free port in " + from + ".." + (from + 9));
    }

    static Process start(ProcessBuilder builder, Path log) {
        try {
            Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            STARTED.add(p);
            return p;
        } catch (IOException e) {
            throw die("could not start " + builder.command() + ": " + e);
        }
    }

    static void stopAll() {
        STARTED.forEach(Process::destroy);
        for (Process p : STARTED) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** One command to the Redis on PORT, and its reply: a status, a number or a bulk string ("" for nil). */
    static String redis(int port, String... command) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("*" + command.length + "\r\n");
            for (String c : command) {
                req.append('$').append(c.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(c).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String head = line(in);
            if (head.startsWith("$")) {
                int n = Integer.parseInt(head.substring(1));
                return n < 0 ? "" : new String(in.readNBytes(n + 2), StandardCharsets.UTF_8).substring(0, n);
            }
            if (head.startsWith("-")) {
                throw new IOException(head);
            }
            return head.substring(1);
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** Loopback only, AOF with fsync every second as in the stack, no RDB. */
    static void startRedis(String name, int port, String... more) throws IOException {
        Files.createDirectories(WORK.resolve(name));
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--bind", "127.0.0.1", "--port", "" + port, "--dir",
                WORK.resolve(name).toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
                "--logfile", WORK.resolve(name + ".log").toString()));
        cmd.addAll(List.of(more));
        start(new ProcessBuilder(cmd), WORK.resolve(name + ".out"));
        for (int i = 0; i < 50; i++, sleep(100)) {
            try {
                redis(port, "PING");
                return;
            } catch (IOException e) {
                // not yet
            }
        }
        throw die("redis-server " + name + " did not start; see " + WORK.resolve(name + ".log"));
    }

    static String get(String url, int timeoutSeconds) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            throw die("interrupted");
        }
    }

    /** Starts a service under the bench profile with VAR=value settings, and waits until it is ready. */
    static void startService(String variant, int port, int redisPort, String... settings) {
        int mgmt = freePort(port + 50);
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(words(JAVA_OPTS));
        cmd.addAll(List.of("-jar", JAR, "--spring.profiles.active=bench", "--management.endpoints.web.exposure.include=health,metrics"));
        cmd.addAll(words(APP_ARGS));
        ProcessBuilder builder = new ProcessBuilder(cmd);
        Map<String, String> env = builder.environment();
        env.putAll(Map.of("SERVICE_HOST", "127.0.0.1", "SERVICE_PORT", "" + port, "MANAGEMENT_PORT", "" + mgmt,
                "INSTANCE_NAME", "bench-" + variant, "CONTAINER_DB_HOST", "127.0.0.1", "CONTAINER_DB_PORT", "" + redisPort));
        Arrays.stream(settings).map(s -> s.split("=", 2)).forEach(kv -> env.put(kv[0], kv[1]));
        long t0 = System.nanoTime();
        Path log = WORK.resolve(variant + ".log");
        Process p = start(builder, log);
        String ready = "http://127.0.0.1:" + mgmt + "/actuator/health/readiness";
        for (int i = 0; i < 1200 && !get(ready, 1).contains("UP"); i++, sleep(50)) {
            if (!p.isAlive()) {
                throw die(variant + " exited at start; see " + log);
            }
        }
        if (!get(ready, 1).contains("UP")) {
            throw die(variant + " was not ready within a minute; see " + log);
        }
        Service s = new Service(variant, port, mgmt, redisPort, p, (System.nanoTime() - t0) / 1_000_000);
        SERVICES.add(s);
        log(variant + " ready on 127.0.0.1:" + port + " in " + s.startupMs() + " ms (pid " + p.pid() + ")");
    }

    static List<String> words(String s) {
        return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    // ---- one measured run -------------------------------------------------------------------------------------

    /** The fields of /proc/PID/stat after the command's name: [0] is the state (field 3), [11] utime, [12] stime. */
    static String[] stat(long pid) {
        String s = read(Path.of("/proc/" + pid + "/stat"));
        return s.isEmpty() ? null : s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    }

    /**
     * CPU ticks, {busy, mine}: busy is the machine's user and system time, mine is what the benchmark's own processes
     * used: the services and Redis, and this JVM with the processes it waited for (wrk, redis-benchmark).
     */
    static long[] cpuTicks() {
        String[] cpu = read(Path.of("/proc/stat")).lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow().trim().split("\\s+");
        long busy = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3]);
        long mine = 0;
        for (Process p : STARTED) {
            String[] f = stat(p.pid());
            mine += f == null ? 0 : Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
        String[] self = stat(ProcessHandle.current().pid());
        mine += Stream.of(11, 12, 13, 14).mapToLong(i -> Long.parseLong(self[i])).sum();
        return new long[] {busy, mine};
    }

    /** {cpu ticks, context switches} of a process: all its threads, voluntary and not. */
    static long[] jvmCost(long pid) throws IOException {
        String[] f = stat(pid);
        long switches = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : tasks.collect(Collectors.toList())) {
                switches += read(t.resolve("status")).lines().filter(l -> l.matches("(non)?voluntary_ctxt_switches:.*"))
                        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).sum();
            }
        }
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), switches};
    }

    /**
     * wrk with bench/report.lua: req/s, p50 and p99 (ms) and the 200s; the share of the machine's CPU that other
     * processes took meanwhile; and, given the service's JVM, its CPU time (µs) and context switches per answered request.
     */
    static Run wrk(int conns, int threads, int seconds, String url, Process jvm) throws IOException {
        long[] cost0 = jvm == null ? null : jvmCost(jvm.pid());
        long[] ticks0 = cpuTicks();
        long t0 = System.nanoTime();
        String out = output("timeout", "" + (seconds + 60), "wrk", "-t" + threads, "-c" + conns, "-d" + seconds + "s", "-s", LUA, url);
        long t1 = System.nanoTime();
        long[] ticks1 = cpuTicks();
        long[] cost1 = jvm == null ? null : jvmCost(jvm.pid());
        Map<String, Double> v = new LinkedHashMap<>();
        out.lines().filter(l -> l.startsWith("BENCH ")).findFirst().orElseThrow(() -> die("wrk failed against " + url + ": " + out))
                .lines().flatMap(l -> Stream.of(l.substring(6).split(" "))).map(kv -> kv.split("="))
                .forEach(kv -> v.put(kv[0], Double.parseDouble(kv[1])));
        double others = Math.max(0, ((ticks1[0] - ticks0[0]) - (ticks1[1] - ticks0[1])) / ((t1 - t0) / 1e9 * HZ * CORES) * 100);
        long ok = v.get("ok").longValue();
        long n = Math.max(ok, 1);
        return new Run(fmt(v.get("requests") / (v.get("duration_us") / 1e6), 0), fmt(v.get("p50_us") / 1000, 2),
                fmt(v.get("p99_us") / 1000, 2), ok, fmt(others, 0),
                jvm == null ? "" : fmt((cost1[0] - cost0[0]) * 1e6 / HZ / n, 0),
                jvm == null ? "" : fmt((double) (cost1[1] - cost0[1]) / n, 2));
    }

    static final Pattern COUNT = Pattern.compile("\\{\"statistic\":\"COUNT\",\"value\":([^}]+)}");

    /** The COUNT of a Micrometer meter, 0 if absent. */
    static double count(Service s, String meter, String... tags) {
        String query = Arrays.stream(tags).map(t -> "tag=" + t).collect(Collectors.joining("&"));
        var m = COUNT.matcher(get("http://127.0.0.1:" + s.mgmt() + "/actuator/metrics/" + meter + "?" + query, 5));
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static long total(Service s) throws IOException {
        String t = redis(s.redisPort(), "GET", "total_count");
        return t.isEmpty() ? 0 : Long.parseLong(t);
    }

    /** Every command the service's Redis ran, but the benchmark's own INFO. */
    static long redisCalls(Service s) throws IOException {
        return redis(s.redisPort(), "INFO", "commandstats").lines().filter(l -> l.startsWith("cmdstat_") && !l.startsWith("cmdstat_info:"))
                .mapToLong(l -> Long.parseLong(l.replaceFirst("^[^:]*:calls=(\\d+),.*", "$1"))).sum();
    }

    static String logLine(String variant, int c, int rep, Run r) {
        return String.format("%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms  others %2s%% CPU", variant, c, rep, r.rps(), r.p50(),
                r.p99(), r.others());
    }

    /** GET / once, with the count check. */
    static void measureGet(Service s, int c, int threads, int seconds, int rep) throws IOException {
        long t0 = total(s);
        double s0 = count(s, "http.server.requests", "uri:/", "status:200");
        long r0 = redisCalls(s);
        double b0 = count(s, "reqcount.batch.size");
        Run run = wrk(c, threads, seconds, "http://127.0.0.1:" + s.port() + "/", s.process());
        // The requests that wrk abandoned when it stopped still finish on the server: let them.
        long t1 = 0;
        double s1 = 0;
        int gets = 0;
        for (String prev = "-1"; gets < 50; sleep(100)) {
            t1 = total(s);
            s1 = count(s, "http.server.requests", "uri:/", "status:200");
            gets++;
            if ((t1 + " " + s1).equals(prev)) {
                break;
            }
            prev = t1 + " " + s1;
        }
        long r1 = redisCalls(s);
        double b1 = count(s, "reqcount.batch.size");
        long delta = t1 - t0;
        long served = Math.round(s1 - s0);
        // Exact: Redis's total rose by the 200s the service sent. wrk saw all of them but those still
        // in flight when it stopped (at most one per connection).
        String check = delta != served || run.ok() > delta || delta - run.ok() > c ? "MISMATCH" : "OK";
        append(raw, String.join("\t", s.variant(), "" + c, "" + rep, run.rps(), run.p50(), run.p99(), "" + run.ok(), "" + delta, "" + served,
                "" + (r1 - r0 - gets), fmt(b1 - b0, 0), check, run.others(), run.cpu(), run.csw()));
        log(logLine(s.variant(), c, rep, run) + "  wrk 200s " + run.ok() + ", total +" + delta + ", served " + served + ": " + check);
    }

    /** GET /baseline of the group commit's service: the ceiling, in the same process. */
    static void measureBaseline(int c, int threads, int seconds, int rep) throws IOException {
        Service group = SERVICES.get(0);
        Run run = wrk(c, threads, seconds, "http://127.0.0.1:" + group.port() + "/baseline", group.process());
        append(raw, String.join("\t", "baseline", "" + c, "" + rep, run.rps(), run.p50(), run.p99(), "" + run.ok(), "", "", "", "", "",
                run.others(), run.cpu(), run.csw()));
        log(logLine("baseline", c, rep, run));
    }

    // ---- the run ----------------------------------------------------------------------------------------------

    static double load() {
        return Double.parseDouble(read(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    static String loads() {
        return String.join(" ", Arrays.asList(read(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(Measure::stopAll));
        Files.createDirectories(WORK);
        raw = WORK.resolve("raw.tsv");
        int redisPort = freePort(18370);
        log("starting redis-server on 127.0.0.1:" + redisPort + " (AOF, appendfsync everysec, no RDB)");
        startRedis("redis", redisPort);
        int primary = 0, replica = 0;
        if (HA) {
            primary = freePort(redisPort + 1);
            replica = freePort(primary + 1);
            log("starting a primary on 127.0.0.1:" + primary + " and its replica on 127.0.0.1:" + replica + " (as REDIS_HA runs them)");
            startRedis("ha-primary", primary, "--min-replicas-to-write", "1", "--min-replicas-max-lag", "5", "--repl-diskless-sync-delay", "0");
            startRedis("ha-replica", replica, "--replicaof", "127.0.0.1", "" + primary);
            for (int i = 0; i < 100 && !redis(replica, "INFO", "replication").contains("master_link_status:up"); i++) {
                sleep(100);
            }
            if (!redis(replica, "INFO", "replication").contains("master_link_status:up")) {
                throw die("the replica did not sync");
            }
        }
        int groupPort = freePort(18300);
        startService("group", groupPort, redisPort);
        if (PER_REQUEST) {
            startService("per-request", freePort(groupPort + 1), redisPort, "BATCH_MAX_SIZE=1", "BATCH_MAX_IN_FLIGHT=16");
        }
        if (HA) {
            startService("ha", freePort(groupPort + 2), primary, "REDIS_ACK_REPLICAS=1", "REDIS_ACK_TIMEOUT=100ms");
        }
        if (DURABLE) {
            // The stack's default: group, against a Redis of its own that fsyncs before it replies. Redis reads its
            // arguments in order, so this --appendfsync wins over startRedis's.
            int durableRedis = freePort(redisPort + 3);
            log("starting redis-server on 127.0.0.1:" + durableRedis + " (AOF, appendfsync always, no RDB)");
            startRedis("redis-durable", durableRedis, "--appendfsync", "always");
            startService("durable", freePort(groupPort + 3), durableRedis);
        }

        // Other work on the machine skews every figure: wait a bounded while for it to calm down.
        for (int i = 1; i <= QUIET_WAIT && load() >= CORES; i++, sleep(1000)) {
            if (i % 10 == 1) {
                log("waiting for a quieter machine: load " + fmt(load(), 2) + " on " + CORES + " cores");
            }
        }
        String loadBefore = loads();
        if (load() >= CORES) {
            log("WARNING: the machine is busy (load " + loadBefore + " on " + CORES + " cores): expect low, noisy figures");
        }
        log("warm-up: " + WARMUP_SECONDS + "s per endpoint at 64 connections");
        wrk(64, 2, WARMUP_SECONDS, "http://127.0.0.1:" + groupPort + "/baseline", null);
        for (Service s : SERVICES) {
            wrk(64, 2, WARMUP_SECONDS, "http://127.0.0.1:" + s.port() + "/", null);
        }

        Files.writeString(raw, "variant\tconns\trep\trps\tp50_ms\tp99_ms\twrk_ok\tredis_delta\tserved_200\tredis_cmds\tbatches\tcheck"
                + "\tothers_cpu\tcpu_us_per_req\tctxsw_per_req\n");
        for (int rep = 1; rep <= REPEATS; rep++) {
            for (String conns : CONNS) {
                int c = Integer.parseInt(conns);
                measureBaseline(c, 2, SECONDS, rep);
                // Every other round in reverse order, so that no variant always runs first after the baseline.
                List<Service> order = new ArrayList<>(SERVICES);
                if (rep % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (Service s : order) {
                    measureGet(s, c, 2, SECONDS, rep);
                }
            }
            // At concurrency 1 batching must cost nothing: one connection, one thread.
            measureBaseline(1, 1, C1_SECONDS, rep);
            for (Service s : SERVICES) {
                if (!s.variant().equals("ha")) {
                    measureGet(s, 1, 1, C1_SECONDS, rep);
                }
            }
        }

        if (REDIS_N > 0) {
            log("redis-benchmark -t incr, " + REDIS_N + " requests per run");
        }
        for (int rep = 1; REDIS_N > 0 && rep <= REPEATS; rep++) {
            for (String c : CONNS) {
                String[] f = output("timeout", "120", "redis-benchmark", "-h", "127.0.0.1", "-p", "" + redisPort, "-t", "incr", "-c", c,
                        "-n", "" + REDIS_N, "--csv").strip().lines().reduce((a, b) -> b).orElse("").replace("\"", "").split(",");
                // "INCR","rps","avg","min","p50","p95","p99","max"
                String rps = fmt(Double.parseDouble(f[1]), 0);
                append(raw, String.join("\t", "redis INCR", c, "" + rep, rps, f[4], f[6], "" + REDIS_N, "", "", "", "", "", "", "", ""));
                log(String.format("%-12s c=%-3s rep %s: %6s req/s  p50 %6s ms  p99 %7s ms", "redis INCR", c, rep, rps, f[4], f[6]));
            }
        }
        String loadAfter = loads();
        String haTotals = "-";
        if (HA) {
            // Every number the HA service answered must be on the replica: its total equals the primary's once it caught up.
            sleep(1000);
            haTotals = redis(primary, "GET", "total_count") + " " + redis(replica, "GET", "total_count");
            String[] t = haTotals.split(" ");
            if (!t[0].equals(t[1])) {
                throw die("the replica's total differs from the primary's: " + haTotals);
            }
        }

        List<String> service = new ArrayList<>(List.of("variant\tstartup_ms\tvmhwm_mb"));
        for (Service s : SERVICES) {
            String hwm = read(Path.of("/proc/" + s.process().pid() + "/status")).lines().filter(l -> l.startsWith("VmHWM"))
                    .map(l -> fmt(Double.parseDouble(l.replaceAll("\\D", "")) / 1024, 0)).findFirst().orElse("");
            service.add(s.variant() + "\t" + s.startupMs() + "\t" + hwm);
        }
        Files.write(WORK.resolve("service.tsv"), service);
        Files.write(WORK.resolve("meta.tsv"), List.of("key\tvalue", "conns\t" + String.join(" ", CONNS), "repeats\t" + REPEATS,
                "seconds\t" + SECONDS, "c1_seconds\t" + C1_SECONDS, "warmup_seconds\t" + WARMUP_SECONDS, "load_before\t" + loadBefore,
                "load_after\t" + loadAfter, "java\t" + output(JAVA, "-version").lines().findFirst().orElse(""),
                "java_opts\t" + (JAVA_OPTS.isEmpty() ? "none" : JAVA_OPTS), "app_args\t" + (APP_ARGS.isEmpty() ? "none" : APP_ARGS),
                "ha_totals\t" + haTotals, "redis\t" + String.join(" ", Arrays.asList(output("redis-server", "--version").split(" ")).subList(0, 3)),
                "wrk\t" + String.join(" ", Arrays.asList(output("wrk", "-v").lines().findFirst().orElse("").split(" ")).subList(0, 2))));
        log("wrote " + raw + ", service.tsv and meta.tsv");
        System.exit(0);
    }
}
