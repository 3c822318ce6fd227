import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The benchmark's reports, from the raw TSV files that bench/measure.sh, bench/container.sh and bench/stack.sh
 * write (each file's first row names its columns; "-" and empty cells are no figure):
 *
 * <pre>
 *   java bench/Report.java run OUT      tmp/run and tmp/container: summary.tsv, latest.md, container.md, throughput.png
 *   java bench/Report.java stack OUT    tmp/stack: stack.md and its rows of latest.md's target table
 *   java bench/Report.java tuning OUT   tmp/tuning (bench/tune.sh): tuning.md
 * </pre>
 *
 * Numbers print as printf's %.Nf does in the scripts that measure (the exact binary value, ties to even).
 */
public class Report {

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: java bench/Report.java run|stack|tuning OUT");
        }
        Path out = Path.of(args[1]);
        switch (args[0]) {
            case "run" -> new RunReport(out).render();
            case "stack" -> stack(out);
            case "tuning" -> tuning(out);
            default -> throw new IllegalArgumentException("unknown report " + args[0]);
        }
    }

    // ---- TSV files read by column name -------------------------------------------------------------------

    /** A TSV file whose first row names its columns. */
    record Tsv(Path file, List<String> columns, List<String[]> rows) {

        static Tsv read(Path file) {
            try {
                List<String> lines = Files.readAllLines(file);
                List<String[]> rows = lines.stream().skip(1).map(l -> l.split("\t", -1)).collect(Collectors.toList());
                return new Tsv(file, Arrays.asList(lines.get(0).split("\t", -1)), rows);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static boolean present(Path file) {
            try {
                return Files.size(file) > 0;
            } catch (IOException e) {
                return false;
            }
        }

        int col(String name) {
            int i = columns.indexOf(name);
            if (i < 0) {
                throw new IllegalStateException("no column " + name + " in " + file); // a renamed column is never read as empty
            }
            return i;
        }

        String cell(String[] row, String name) {
            int i = col(name);
            return i < row.length ? row[i] : "";
        }

        /** COLUMN of every row whose named columns hold those values ("name=value"), figures only. */
        List<String> get(String column, String... filters) {
            col(column);
            Predicate<String[]> keep = row -> Arrays.stream(filters).allMatch(f -> {
                int eq = f.indexOf('=');
                return cell(row, f.substring(0, eq)).equals(f.substring(eq + 1));
            });
            return rows.stream().filter(keep).map(r -> cell(r, column)).filter(Report::figure).collect(Collectors.toList());
        }

        String one(String column, String... filters) {
            List<String> all = get(column, filters);
            return String.join("\n", all);
        }

        /** The values of a column in the order they first appear. */
        List<String> distinct(String column) {
            return new ArrayList<>(rows.stream().map(r -> cell(r, column)).collect(Collectors.toCollection(LinkedHashSet::new)));
        }
    }

    static boolean figure(String s) {
        return !s.isEmpty() && !s.equals("-");
    }

    // ---- numbers -----------------------------------------------------------------------------------------

    /** printf's %.Nf: the double's exact value, rounded half to even. */
    static String fmt(double v, int digits) {
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    static double num(String s) {
        return s.isEmpty() ? 0 : Double.parseDouble(s);
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The median of the figures, with DIGITS decimals; "" for none. */
    static String median(List<String> values, int digits) {
        if (values.isEmpty()) {
            return "";
        }
        return fmt(median(values.stream().map(Double::parseDouble).sorted().collect(Collectors.toList())), digits);
    }

    static String sum(List<String> values) {
        return fmt(values.stream().mapToDouble(Double::parseDouble).sum(), 0);
    }

    static String pct(String a, String b, int digits) {
        return fmt(100 * num(a) / num(b), digits);
    }

    /**
     * The median over rounds 1..ROUNDS of A's COLUMN over B's in the same round, in percent (each rounded to a
     * tenth first), where A and B are name=value filters and MORE apply to both. Paired rounds hold steadier than a
     * ratio of medians on a noisy machine. A round that lacks either is left out; "" if all do.
     */
    static String pairedRatio(Tsv t, String column, int rounds, String a, String b, String... more) {
        List<String> ratios = new ArrayList<>();
        for (int rep = 1; rep <= rounds; rep++) {
            String x = t.one(column, with(more, a, "rep=" + rep));
            String y = t.one(column, with(more, b, "rep=" + rep));
            if (!x.isEmpty() && !y.isEmpty()) {
                ratios.add(pct(x, y, 1));
            }
        }
        return median(ratios, 1);
    }

    static String[] with(String[] more, String... these) {
        String[] all = Arrays.copyOf(these, these.length + more.length);
        System.arraycopy(more, 0, all, these.length, more.length);
        return all;
    }

    static String verdict(boolean pass) {
        return pass ? "PASS" : "MISS";
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    static String or(String s, String otherwise) {
        return s.isEmpty() ? otherwise : s;
    }

    static String suffix(String s, String unit) {
        return s.isEmpty() ? "" : s + unit;
    }

    static void write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
    }

    static List<String> readIfPresent(Path file) throws IOException {
        return Tsv.present(file) ? Files.readAllLines(file) : List.of();
    }

    // ---- bench/measure.sh and bench/container.sh: latest.md ------------------------------------------------

    static final class RunReport {
        final Path out;
        final Path work;
        final Path container;
        final List<String> containerTargets = new ArrayList<>();
        final List<String> containerReport = new ArrayList<>();

        RunReport(Path out) {
            this.out = out;
            this.work = out.resolve("tmp/run");
            this.container = out.resolve("tmp/container");
        }

        void render() throws Exception {
            boolean containerRan = Tsv.present(container.resolve("startup.tsv"));
            if (containerRan) {
                container();
                write(out.resolve("container.md"), containerReport);
                write(container.resolve("targets.md"), containerTargets);
            }
            if (!Tsv.present(work.resolve("raw.tsv")) && containerRan) {
                System.out.println("[bench] wrote " + out.resolve("container.md") + " (bench/container.sh's figures; no bench/measure.sh run to report)");
                return;
            }
            for (String f : List.of("raw", "service", "meta")) {
                if (!Tsv.present(work.resolve(f + ".tsv"))) {
                    throw new IllegalStateException("no " + work.resolve(f + ".tsv") + ": run bash bench/measure.sh first");
                }
            }
            run(containerRan);
        }

        /** "steady second": the median req/s of the last 10 s, and the first second that reached 90% of it. */
        static String[] warmup(Tsv warm, String variant) {
            List<String> rps = warm.get("rps", "variant=" + variant);
            List<String> last = rps.subList(Math.max(0, rps.size() - 10), rps.size());
            double steady = median(last.stream().map(Double::parseDouble).sorted().collect(Collectors.toList()));
            String second = IntStream.range(0, rps.size()).filter(i -> num(rps.get(i)) >= 0.9 * steady)
                    .mapToObj(i -> String.valueOf(i + 1)).findFirst().orElse("-");
            return new String[] {fmt(steady, 0), second};
        }

        void container() {
            Tsv startup = Tsv.read(container.resolve("startup.tsv"));
            Tsv meta = Tsv.read(container.resolve("meta.tsv"));
            Path warmFile = container.resolve("warmup.tsv");
            Tsv warm = Tsv.present(warmFile) ? Tsv.read(warmFile) : null;
            boolean warmed = warm != null && !warm.rows().isEmpty();
            Tsv mem = Tsv.read(container.resolve("memory.tsv"));
            String cpus = meta.one("value", "key=cpus");
            String plain = median(startup.get("ms", "variant=plain"), 0);
            String tuned = median(startup.get("ms", "variant=tuned"), 0);
            String share = pct(tuned, plain, 1);
            List<String> r = containerReport;
            r.add("Startup, from `docker run` to readiness UP, " + cpus + " CPUs (plain at 512M, the others at 256M), medians of "
                    + startup.get("rep", "variant=plain").size() + " starts each, alternating: plain (`java -jar`, no JVM options) **"
                    + plain + " ms**, tuned (the image as shipped) **" + tuned + " ms**: " + share + "% of plain (target <= 45%: "
                    + verdict(num(share) <= 45) + "; <= 2 s: " + verdict(num(tuned) <= 2000) + ").");
            r.add("");
            r.add("| Startup variant | ms (median) | of plain |");
            r.add("|---|---:|---:|");
            for (String v : startup.distinct("variant")) {
                String ms = median(startup.get("ms", "variant=" + v), 0);
                r.add("| " + v + " | " + ms + " | " + pct(ms, plain, 1) + "% |");
            }
            r.add("");
            if (warmed) {
                r.add("| Warm-up at 64 connections | steady req/s (median of the last 10 s) | seconds from ready to 90% of it |");
                r.add("|---|---:|---:|");
                for (String v : warm.distinct("variant")) {
                    String[] w = warmup(warm, v);
                    r.add("| " + v + " | " + w[0] + " | " + w[1].replace("-", "not within the run") + " |");
                }
                r.add("");
            }
            r.add("| Memory variant | limit | req/s @64 (median) | of the first | p99 ms | container memory after (docker stats) | JVM peak RSS (VmHWM) |");
            r.add("|---|---:|---:|---:|---:|---:|---:|");
            String reference = mem.rows().get(0)[0];
            String before = median(mem.get("rps", "variant=" + reference), 0);
            for (String v : mem.distinct("variant")) {
                String rps = median(mem.get("rps", "variant=" + v), 0);
                r.add("| " + v + " | " + mem.get("limit", "variant=" + v).get(0) + " | " + rps + " | " + pct(rps, before, 1) + "% | "
                        + median(mem.get("p99_ms", "variant=" + v), 2) + " | " + mem.one("mem_mib", "variant=" + v) + " MiB | "
                        + mem.one("vmhwm_mib", "variant=" + v) + " MiB |");
            }
            r.add("");
            String shippedMem = mem.one("mem_mib", "variant=shipped");
            String kept = pct(median(mem.get("rps", "variant=shipped"), 0), before, 1);
            r.add("*" + reference + "* is the settings before this round, the reference; *shipped* is the image as the stack runs it;"
                    + " the others change one thing each from *shipped* (bench/container.sh lists them). Target: *shipped* <= 160 MiB"
                    + " under load (" + shippedMem + " MiB: " + verdict(num(shippedMem) <= 160) + ") at no more than 5% throughput loss"
                    + " against *" + reference + "* (" + kept + "%: " + verdict(num(kept) >= 95) + ").");

            List<String> t = containerTargets;
            t.add("| Startup to ready in the container, tuned <= 45% of plain | " + share + "% (" + tuned + " vs " + plain + " ms) | "
                    + verdict(num(share) <= 45) + " |");
            t.add("| Startup to ready in the container <= 2 s | " + tuned + " ms | " + verdict(num(tuned) <= 2000) + " |");
            if (warmed) {
                String seconds = warmup(warm, "tuned")[1];
                t.add("| Warm-up, ready to 90% of steady state (tuned, " + cpus + " CPUs) <= 15 s | "
                        + seconds.replace("-", "not within the run") + " s (plain: " + warmup(warm, "plain")[1] + " s) | "
                        + (seconds.equals("-") ? "MISS" : verdict(num(seconds) <= 15)) + " |");
            }
            t.add("| Shipped container's memory under load <= 160 MiB | " + shippedMem + " MiB | " + verdict(num(shippedMem) <= 160) + " |");
            t.add("| ... at <= 5% throughput loss against the settings before | " + kept + "% of *" + reference + "* | "
                    + verdict(num(kept) >= 95) + " |");
        }

        // "async", GET /async of the finished non-blocking experiment, is only in older raw files (bench/results/latest-raw.tsv).
        static final List<String> VARIANTS = List.of("baseline", "group", "durable", "async", "per-request", "ha", "redis INCR");

        static String name(String variant) {
            return switch (variant) {
                case "baseline" -> "GET /baseline (no Redis: the ceiling)";
                case "group" -> "GET / group commit (default)";
                case "async" -> "GET /async: group commit, no thread waits (experiment, bench profile)";
                case "per-request" -> "GET / one MULTI/EXEC per request";
                case "ha" -> "GET / group commit, primary + replica, WAIT 1 (REDIS_HA)";
                case "durable" -> "GET / group commit, appendfsync always (the stack's default)";
                default -> "redis-benchmark -t incr (reference)";
            };
        }

        void run(boolean containerRan) throws Exception {
            Tsv raw = Tsv.read(work.resolve("raw.tsv"));
            Tsv meta = Tsv.read(work.resolve("meta.tsv"));
            Tsv service = Tsv.read(work.resolve("service.tsv"));
            List<String> conns = Arrays.asList(meta.one("value", "key=conns").split(" "));
            int repeats = Integer.parseInt(meta.one("value", "key=repeats"));
            Tsv summary = summary(raw);
            // get(VARIANT, CONNS, COLUMN): one median, "" for none
            java.util.function.BiFunction<String, String, java.util.function.Function<String, String>> get =
                    (v, c) -> column -> summary.one(column, "variant=" + v, "conns=" + c);

            List<String> table = new ArrayList<>();
            table.add("| Variant | Conns | req/s | p50 ms | p99 ms | of ceiling | Redis cmds/req | req per tx | counts | others' CPU | JVM CPU µs/req | ctx switches/req |");
            table.add("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
            List<String> allConns = new ArrayList<>(conns);
            allConns.add("1");
            for (String c : allConns) {
                for (String v : VARIANTS) {
                    var g = get.apply(v, c);
                    if (g.apply("rps").isEmpty()) {
                        continue;
                    }
                    table.add("| " + name(v) + " | " + c + " | " + g.apply("rps") + " | " + g.apply("p50_ms") + " | " + g.apply("p99_ms")
                            + " | " + suffix(g.apply("of_ceiling_pct"), "%") + " | " + g.apply("cmds_per_req") + " | " + g.apply("req_per_tx")
                            + " | " + g.apply("counts") + " | " + suffix(g.apply("others_cpu_pct"), "%") + " | " + g.apply("cpu_us_per_req")
                            + " | " + g.apply("ctxsw_per_req") + " |");
                }
            }

            var group64 = get.apply("group", "64");
            List<String> targets = new ArrayList<>(List.of("| Target | Measured | Result |", "|---|---|---|"));
            String r = group64.apply("of_ceiling_pct");
            if (!r.isEmpty()) {
                targets.add("| GET / at 64 conns >= 80% of the ceiling | " + r + "% (" + group64.apply("rps") + " vs "
                        + get.apply("baseline", "64").apply("rps") + " req/s) | " + verdict(num(r) >= 80) + " |");
            }
            var async64 = get.apply("async", "64");
            String a = async64.apply("of_ceiling_pct");
            if (!a.isEmpty()) {
                targets.add("| GET /async at 64 conns >= 80% of the ceiling (the experiment; not shipped) | " + a + "% (" + async64.apply("rps")
                        + " req/s, p99 " + async64.apply("p99_ms") + " ms against GET /'s " + group64.apply("p99_ms") + " ms) | "
                        + verdict(num(a) >= 80) + " |");
            }
            String k = group64.apply("cmds_per_req");
            if (!k.isEmpty()) {
                targets.add("| Redis commands per served request at 64 conns <= 0.25 | " + k + " | " + verdict(num(k) <= 0.25) + " |");
            }
            String gp = group64.apply("p99_ms");
            String pp = get.apply("per-request", "64").apply("p99_ms");
            if (!gp.isEmpty() && !pp.isEmpty()) {
                targets.add("| p99 at 64 conns no worse than per-request | " + gp + " ms vs " + pp + " ms | " + verdict(num(gp) <= num(pp)) + " |");
            }
            java.util.function.Function<String, String> haRatio =
                    c -> pairedRatio(raw, "rps", repeats, "variant=ha", "variant=group", "conns=" + c);
            String h = conns.contains("64") ? haRatio.apply("64") : "";
            if (!h.isEmpty()) {
                targets.add("| REDIS_HA (WAIT 1) at 64 conns >= 80% of one Redis | " + h + "% (" + get.apply("ha", "64").apply("rps") + " vs "
                        + group64.apply("rps") + " req/s; HA at 16: " + haRatio.apply("16") + "%, at 256: " + haRatio.apply("256") + "%) | "
                        + verdict(num(h) >= 80) + " |");
            }
            for (String c : List.of("64", "256")) {
                String d = conns.contains(c) ? pairedRatio(raw, "rps", repeats, "variant=durable", "variant=group", "conns=" + c) : "";
                if (!d.isEmpty()) {
                    targets.add("| appendfsync always at " + c + " conns >= 90% of everysec | " + d + "% (" + get.apply("durable", c).apply("rps")
                            + " vs " + get.apply("group", c).apply("rps") + " req/s) | " + verdict(num(d) >= 90) + " |");
                }
            }
            var g1 = get.apply("group", "1");
            var p1 = get.apply("per-request", "1");
            if (!g1.apply("p50_ms").isEmpty() && !p1.apply("p50_ms").isEmpty()) {
                targets.add("| Latency at concurrency 1 no worse than per-request (p50 and p99 within 5%) | p50 " + g1.apply("p50_ms") + " vs "
                        + p1.apply("p50_ms") + " ms, p99 " + g1.apply("p99_ms") + " vs " + p1.apply("p99_ms") + " ms | "
                        + verdict(num(g1.apply("p50_ms")) <= 1.05 * num(p1.apply("p50_ms"))
                                && num(g1.apply("p99_ms")) <= 1.05 * num(p1.apply("p99_ms"))) + " |");
            }
            // The container's and the deployed stack's rows, when they ran
            targets.addAll(readIfPresent(container.resolve("targets.md")));
            targets.addAll(readIfPresent(out.resolve("tmp/stack/targets.md")));
            write(work.resolve("table.md"), table);
            write(work.resolve("targets.md"), targets);

            plot(conns, repeats, get);

            String m = "value";
            List<String> report = new ArrayList<>();
            report.add("# Benchmark: latest run");
            report.add("");
            report.add("Run by `bash bench/run.sh` on " + now() + ". Medians of " + repeats + " runs of " + meta.one(m, "key=seconds")
                    + "s each (" + meta.one(m, "key=c1_seconds") + "s at concurrency 1) after a " + meta.one(m, "key=warmup_seconds")
                    + "s warm-up; wrk with 2 threads (1 at concurrency 1); loopback.");
            report.add("");
            report.addAll(table);
            report.addAll(List.of("", "![throughput](throughput.png)", "", "## Targets", ""));
            report.addAll(targets);
            report.addAll(List.of("", "## The service", "", "| Variant | Startup to ready | Peak RSS (VmHWM) |", "|---|---:|---:|"));
            Map<String, String> services = Map.of("group", "group commit (default)", "per-request", "one MULTI/EXEC per request",
                    "ha", "group commit against a primary + replica, WAIT 1");
            for (String v : List.of("group", "per-request", "ha")) {
                String startupMs = service.one("startup_ms", "variant=" + v);
                if (!startupMs.isEmpty()) {
                    report.add("| " + services.get(v) + " | " + startupMs + " ms | " + service.one("vmhwm_mb", "variant=" + v) + " MB |");
                }
            }
            report.add("");
            if (containerRan) {
                report.addAll(List.of("## The service in its container (bench/container.sh)", ""));
                report.addAll(containerReport);
                report.add("");
            }
            if (Tsv.present(out.resolve("tmp/stack/raw.tsv"))) {
                report.addAll(List.of("## The deployed stack (bench/stack.sh)", ""));
                Files.readAllLines(out.resolve("stack.md")).stream().skip(2).map(l -> l.startsWith("## ") ? "#" + l : l).forEach(report::add);
                report.add("");
            }
            report.addAll(List.of("## How to read it", "",
                    "- *of ceiling*: req/s over GET /baseline's, measured in the same process at the same concurrency just",
                    "  before, in the same round; the median of those paired ratios, which is steadier than the ratio of",
                    "  the medians on a noisy machine.",
                    "- *Redis cmds/req*: every command in Redis's INFO commandstats between the run's start and end",
                    "  (but the benchmark's own INFO and GET total_count), over the 200s the service served.",
                    "- *req per tx*: served 200s over Redis transactions (the reqcount.batch.size meter's count).",
                    "- *counts*: total_count rose by exactly the 200s the service served (its http.server.requests",
                    "  meter), and wrk's own 200s fall short of that by no more than one per connection: the requests",
                    "  in flight when wrk stopped, which the server still served.",
                    "- *JVM CPU µs/req* and *ctx switches/req*: the service JVM's CPU time (user and system, all threads) and",
                    "  context switches (voluntary and not, summed over its threads from /proc) during the run, over the",
                    "  requests wrk saw answered; the baseline's are measured in the same process.",
                    "- *others' CPU*: the share of the machine's CPU spent outside the benchmark's own processes during",
                    "  the runs (median): other work on the machine, and kernel threads such as ksoftirqd that carry",
                    "  some of the loopback traffic. Well above 10% means the figures are low and noisy.",
                    "- *primary + replica, WAIT 1*: REDIS_HA's write path. Every 200 it served is on the replica: at the end",
                    "  the primary's and the replica's totals were " + meta.one(m, "key=ha_totals") + " (the run stops if they differ).",
                    "- Startup is from launching java to /actuator/health/readiness answering UP (Redis included).",
                    "", "## Machine", "",
                    "- " + Runtime.getRuntime().availableProcessors() + " cores: " + machine("/proc/cpuinfo", "model name") + "; "
                            + fmt(Double.parseDouble(machine("/proc/meminfo", "MemTotal").replace(" kB", "")) / 1048576, 0)
                            + " GiB memory; Linux " + System.getProperty("os.version"),
                    "- " + meta.one(m, "key=java"),
                    "- " + meta.one(m, "key=redis") + "; AOF with appendfsync everysec, no RDB",
                    "- " + meta.one(m, "key=wrk"),
                    "- load average before: " + meta.one(m, "key=load_before") + "; after: " + meta.one(m, "key=load_after"),
                    "- JVM options: " + meta.one(m, "key=java_opts") + "; extra service arguments: " + meta.one(m, "key=app_args")));
            write(out.resolve("latest.md"), report);
            Files.copy(work.resolve("raw.tsv"), out.resolve("latest-raw.tsv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            System.out.println();
            table.forEach(System.out::println);
            System.out.println();
            targets.forEach(System.out::println);
            System.out.println();
            for (String[] row : service.rows()) {
                System.out.println(row[0] + ": startup to ready " + row[1] + " ms, peak RSS " + row[2] + " MB.");
            }
            System.out.println("[bench] wrote " + out.resolve("latest.md") + ", " + out.resolve("throughput.png") + " and "
                    + out.resolve("latest-raw.tsv"));
        }

        static String machine(String file, String key) throws IOException {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(key)).map(l -> l.replaceFirst("^[^:]*:\\s*", ""))
                    .findFirst().orElse("");
        }

        /**
         * Medians per variant and concurrency (summary.tsv): req/s, p50, p99, others' CPU, JVM CPU and context switches per
         * request; the median of the ratios to the ceiling measured just before in the same round; Redis commands per
         * served request; requests per transaction; the count check. "-" stands for none.
         */
        Tsv summary(Tsv raw) throws IOException {
            Map<String, List<String[]>> groups = new LinkedHashMap<>();
            Map<String, Double> ceiling = new LinkedHashMap<>();
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            for (String[] row : raw.rows()) {
                String v = raw.cell(row, "variant"), c = raw.cell(row, "conns"), key = v + "\t" + c;
                groups.computeIfAbsent(key, x -> new ArrayList<>()).add(row);
                List<Double> rs = ratios.computeIfAbsent(key, x -> new ArrayList<>());
                Double ceil = ceiling.get(c + "\t" + raw.cell(row, "rep"));
                if (v.equals("baseline")) {
                    ceiling.put(c + "\t" + raw.cell(row, "rep"), num(raw.cell(row, "rps")));
                } else if (!v.equals("redis INCR") && ceil != null) {
                    rs.add(num(raw.cell(row, "rps")) / ceil);
                }
            }
            List<String> lines = new ArrayList<>();
            lines.add("variant\tconns\trps\tp50_ms\tp99_ms\tcmds_per_req\treq_per_tx\tcounts\tof_ceiling_pct\tothers_cpu_pct\tcpu_us_per_req\tctxsw_per_req");
            for (var g : groups.entrySet()) {
                List<String[]> rows = g.getValue();
                java.util.function.BiFunction<String, Integer, String> med = (column, digits) -> {
                    if (raw.cell(rows.get(0), column).isEmpty()) {
                        return "-";
                    }
                    return median(rows.stream().map(r -> or(raw.cell(r, column), "0")).collect(Collectors.toList()), digits);
                };
                double cmds = 0, served = 0, batches = 0;
                int checked = 0, bad = 0;
                for (String[] r : rows) {
                    if (!raw.cell(r, "redis_cmds").isEmpty()) {
                        cmds += num(raw.cell(r, "redis_cmds"));
                        served += num(raw.cell(r, "served_200"));
                        batches += num(raw.cell(r, "batches"));
                    }
                    String check = raw.cell(r, "check");
                    checked += check.isEmpty() ? 0 : 1;
                    bad += check.equals("MISMATCH") ? 1 : 0;
                }
                List<Double> rs = ratios.get(g.getKey());
                String ratio = rs.isEmpty() ? "-" : fmt(100 * median(rs.stream().sorted().toList()), 1);
                lines.add(String.join("\t", g.getKey(), median(rows.stream().map(r -> or(raw.cell(r, "rps"), "0")).toList(), 0),
                        median(rows.stream().map(r -> or(raw.cell(r, "p50_ms"), "0")).toList(), 2),
                        median(rows.stream().map(r -> or(raw.cell(r, "p99_ms"), "0")).toList(), 2),
                        served != 0 ? fmt(cmds / served, 3) : "-", batches != 0 ? fmt(served / batches, 1) : "-",
                        checked == 0 ? "-" : (bad > 0 ? "MISMATCH (" + bad + "/" + checked + ")" : "OK (" + checked + "/" + checked + ")"),
                        ratio, med.apply("others_cpu", 0), med.apply("cpu_us_per_req", 0), med.apply("ctxsw_per_req", 2)));
            }
            write(work.resolve("summary.tsv"), lines);
            return Tsv.read(work.resolve("summary.tsv"));
        }

        void plot(List<String> conns, int repeats,
                java.util.function.BiFunction<String, String, java.util.function.Function<String, String>> get) throws Exception {
            List<String> data = new ArrayList<>(List.of("# conns baseline group per-request ha redis-incr"));
            for (String c : conns) {
                data.add(c + List.of("baseline", "group", "per-request", "ha", "redis INCR").stream()
                        .map(v -> " " + or(get.apply(v, c).apply("rps"), "NaN")).collect(Collectors.joining()));
            }
            Path dat = work.resolve("throughput.dat");
            write(dat, data);
            String term = new ProcessBuilder("gnuplot", "-e", "set terminal pngcairo").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0 ? "pngcairo" : "png";
            String script = String.join("\n",
                    "set terminal " + term + " size 900,560",
                    "set output \"" + out.resolve("throughput.png") + "\"",
                    "set title \"replicas-reqcount on " + Runtime.getRuntime().availableProcessors() + " cores, loopback (medians of "
                            + repeats + " runs)\"",
                    "set xlabel \"wrk connections\"", "set ylabel \"HTTP requests/s\"", "set y2label \"redis-benchmark INCR/s\"",
                    "set logscale x 2",
                    "set xrange [" + conns.get(0) + " * 0.8:" + conns.get(conns.size() - 1) + " * 1.25]",
                    "set xtics (" + String.join(", ", conns) + ")",
                    "set yrange [0:*]", "set y2range [0:*]", "set ytics nomirror", "set y2tics", "set key below", "set grid",
                    "plot \"" + dat + "\" using 1:2 with linespoints lw 2 title \"GET /baseline (no Redis: ceiling)\", \\",
                    "     \"\" using 1:3 with linespoints lw 2 title \"GET / group commit\", \\",
                    "     \"\" using 1:4 with linespoints lw 2 title \"GET / MULTI/EXEC per request\", \\",
                    "     \"\" using 1:5 with linespoints lw 2 title \"GET / primary + replica, WAIT 1\", \\",
                    "     \"\" using 1:6 axes x1y2 with linespoints dt 2 title \"redis-benchmark INCR (right axis)\"", "");
            Process gnuplot = new ProcessBuilder("gnuplot").redirectErrorStream(true)
                    .redirectOutput(work.resolve("gnuplot.log").toFile()).start();
            gnuplot.getOutputStream().write(script.getBytes());
            gnuplot.getOutputStream().close();
            if (gnuplot.waitFor() != 0) {
                System.out.println("[bench] gnuplot failed; see " + work.resolve("gnuplot.log"));
            }
        }
    }

    // ---- bench/stack.sh: stack.md ------------------------------------------------------------------------

    static void stack(Path out) throws IOException {
        Path work = out.resolve("tmp/stack");
        Tsv raw = Tsv.read(work.resolve("raw.tsv"));
        Tsv meta = Tsv.read(work.resolve("meta.tsv"));
        java.util.function.Function<String, String> m = key -> meta.one("value", "key=" + key);
        int rounds = Integer.parseInt(m.apply("rounds"));
        int rollouts = Integer.parseInt(m.apply("rollouts"));
        int replicas = Integer.parseInt(or(m.apply("replicas"), "0"));
        String ratio = pairedRatio(raw, "rps", rounds, "path=published", "path=direct");
        String p99 = median(raw.get("p99_ms", "path=published"), 2);
        List<String> r = new ArrayList<>();
        r.add("# The published port against one replica directly");
        r.add("");
        r.add("Run by `bash bench/stack.sh` on " + now() + " against stack " + m.apply("stack") + " (" + m.apply("services") + ").");
        r.add("wrk with 2 threads at " + m.apply("conns") + " connections, " + rounds + " alternating rounds of " + m.apply("seconds")
                + "s after a " + m.apply("warmup_seconds") + "s warm-up; medians.");
        r.add("");
        r.add("| Path | req/s | p50 ms | p99 ms | replicas' quota throttled (share of periods) | softirq (share of the machine) |");
        r.add("|---|---:|---:|---:|---:|---:|");
        for (String path : List.of("published", "direct")) {
            String p = "path=" + path;
            r.add("| " + path + " | " + median(raw.get("rps", p), 0) + " | " + median(raw.get("p50_ms", p), 2) + " | "
                    + median(raw.get("p99_ms", p), 2) + " | " + median(raw.get("throttled_pct", p), 0) + "% | "
                    + median(raw.get("softirq_pct", p), 0) + "% |");
        }
        r.add("");
        r.add("Published / direct, median of the rounds: **" + ratio + "%** (target >= 50%: " + verdict(num(ratio) >= 50) + "); p99 at the"
                + " published port **" + p99 + " ms** (target <= 50 ms: " + verdict(num(p99) <= 50) + ").");
        r.add("");
        r.add("*direct* is wrk inside " + m.apply("direct") + "'s network namespace on its own port: one replica, no NAT, no edge, no overlay.");
        r.add("*published* goes through the host's port to the edge (or the routing mesh) and over the overlay to all the replicas.");
        List<String> t = new ArrayList<>();
        t.add("| Published port >= 50% of one replica directly (64 conns) | " + ratio + "% | " + verdict(num(ratio) >= 50) + " |");
        t.add("| p99 at the published port <= 50 ms (64 conns) | " + p99 + " ms | " + verdict(num(p99) <= 50) + " |");
        if (rollouts > 0) {
            Tsv roll = Tsv.read(work.resolve("rollout.tsv"));
            String rollS = median(roll.get("seconds", "kind=roll"), 1);
            String completedS = median(roll.get("completed_s", "kind=roll"), 1);
            String scaleS = median(roll.get("seconds", "kind=scale"), 1);
            String failed = sum(roll.get("failed"));
            String requests = sum(roll.get("requests"));
            int twice = 2 * replicas;
            r.addAll(List.of("", "## Rolling update and scale-out under light load", ""));
            r.add("Two clients on the published port, " + m.apply("rate") + " requests a second each, a new connection per request; "
                    + rollouts + " rounds, medians. Update settings: parallelism 1, start-first, monitor " + m.apply("monitor") + ".");
            r.add("");
            r.add("| | seconds | update completed (s) | each new task, created to healthy (s) | requests | failed |");
            r.add("|---|---:|---:|---:|---:|---:|");
            r.add("| rolling update of " + replicas + ": all replaced | " + rollS + " | " + completedS + " | "
                    + median(roll.get("per_task_s", "kind=roll"), 1) + " | " + sum(roll.get("requests", "kind=roll")) + " | "
                    + sum(roll.get("failed", "kind=roll")) + " |");
            r.add("| scale " + replicas + " -> " + twice + ": all answering | " + scaleS + " | | | " + sum(roll.get("requests", "kind=scale"))
                    + " | " + sum(roll.get("failed", "kind=scale")) + " |");
            r.add("");
            r.add("Rolling update of " + replicas + ", all replaced: **" + rollS + " s** (target <= 25 s: " + verdict(num(rollS) <= 25)
                    + "); scale to " + twice + ", all answering: **" + scaleS + " s** (target <= 10 s: " + verdict(num(scaleS) <= 10)
                    + "); failed requests " + failed + " (target 0).");
            r.add("");
            r.add("*All replaced*: from the update's start until the last new task ran (a task with a HEALTHCHECK runs once it is");
            r.add("healthy) and the last old one had stopped, from Swarm's task timestamps. *Update completed*: until");
            r.add("`docker service update --detach=false` returned, which adds the monitor window after the last task.");
            t.add("| Rolling update of " + replicas + ", all replaced, <= 25 s | " + rollS + " s (update completed after " + completedS
                    + " s) | " + verdict(num(rollS) <= 25) + " |");
            t.add("| Scale " + replicas + " -> " + twice + ", all answering, <= 10 s | " + scaleS + " s | " + verdict(num(scaleS) <= 10) + " |");
            t.add("| No failed request during the updates and scale-outs | " + failed + " of " + requests + " | "
                    + verdict(num(failed) == 0) + " |");
        }
        write(out.resolve("stack.md"), r);
        write(work.resolve("targets.md"), t);
        r.forEach(System.out::println);
    }

    // ---- bench/tune.sh: tuning.md ------------------------------------------------------------------------

    static void tuning(Path out) throws IOException {
        Path tmp = out.resolve("tmp/tuning");
        Tsv settings = Tsv.read(tmp.resolve("settings.tsv"));
        List<String> r = new ArrayList<>();
        r.add("# Tuning: one setting at a time");
        r.add("");
        r.add("Written by `bash bench/tune.sh` on " + now() + ", " + Runtime.getRuntime().availableProcessors() + " cores. Each setting in a fresh");
        r.add("service; medians of " + or(System.getenv().getOrDefault("BENCH_REPEATS", ""), "3") + " runs of "
                + or(System.getenv().getOrDefault("BENCH_SECONDS", ""), "5") + "s. *of ceiling* is against /baseline in the same");
        r.add("process, so it holds across runs better than req/s does on a shared machine.");
        r.add("");
        r.add("| Setting | req/s @64 | of ceiling @64 | p99 ms @64 | Redis cmds/req @64 | req per tx @64 | req/s @256 | of ceiling @256 | p99 ms @256 | p50 ms @1 | peak RSS | others' CPU @64 |");
        r.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // Every setting that has a result, from this run or an earlier one.
        for (String[] s : settings.rows()) {
            Path run = tmp.resolve(s[0]).resolve("tmp/run");
            if (!Files.isRegularFile(run.resolve("summary.tsv"))) {
                continue;
            }
            Tsv sum = Tsv.read(run.resolve("summary.tsv"));
            java.util.function.BiFunction<String, String, String> fig = (conns, column) -> sum.one(column, "variant=group", "conns=" + conns);
            r.add("| " + s[0] + ":" + s[1] + " | " + fig.apply("64", "rps") + " | " + fig.apply("64", "of_ceiling_pct") + "% | "
                    + fig.apply("64", "p99_ms") + " | " + fig.apply("64", "cmds_per_req") + " | " + fig.apply("64", "req_per_tx") + " | "
                    + fig.apply("256", "rps") + " | " + fig.apply("256", "of_ceiling_pct") + "% | " + fig.apply("256", "p99_ms") + " | "
                    + fig.apply("1", "p50_ms") + " | " + Tsv.read(run.resolve("service.tsv")).one("vmhwm_mb", "variant=group") + " MB | "
                    + fig.apply("64", "others_cpu_pct") + "% |");
        }
        write(out.resolve("tuning.md"), r);
        r.forEach(System.out::println);
    }
}
