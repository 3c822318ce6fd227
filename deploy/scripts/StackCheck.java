import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deploy's last two steps, bounded:
 *
 *   java deploy/scripts/StackCheck.java wait STACK PORT [SECONDS]     (default 180 s, or STACK_WAIT_SECONDS)
 *     until every service of STACK runs all its replicas on the current image (Swarm reports a task with a
 *     HEALTHCHECK as running only once it is healthy), no update is in progress, and the published port answers
 *     /cluster (a replica that reads Redis: counts nothing; Actuator is not on the published port).
 *   java deploy/scripts/StackCheck.java smoke PORT EXPECTED [MAX_REQUESTS]     (default 30 requests)
 *     GET / until EXPECTED different replicas have answered, showing the answers; fails if a request fails or not
 *     every replica answered.
 *
 * Uses the docker client in DOCKER (else the engine's own /usr/bin/docker), and DOCKER_HOST as it is.
 */
public class StackCheck {

    static final String DOCKER = System.getenv("DOCKER") != null ? System.getenv("DOCKER")
            : new File("/usr/bin/docker").canExecute() ? "/usr/bin/docker" : "docker";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("wait")) {
            String limit = args.length > 3 ? args[3] : System.getenv().getOrDefault("STACK_WAIT_SECONDS", "180");
            System.exit(await(args[1], Integer.parseInt(args[2]), Integer.parseInt(limit)));
        } else if (args.length >= 3 && args[0].equals("smoke")) {
            System.exit(smoke(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                    args.length > 3 ? Integer.parseInt(args[3]) : 30));
        }
        System.err.println("usage: java deploy/scripts/StackCheck.java wait STACK PORT [SECONDS] | smoke PORT EXPECTED [MAX]");
        System.exit(2);
    }

    static int await(String stack, int port, int limit) throws Exception {
        long start = System.nanoTime(), nextReport = 10;
        while (true) {
            // A service is short while fewer of its tasks run the current spec's image than it wants (this also
            // catches an update that has not started yet), or while an update runs.
            List<String> short_ = new ArrayList<>(), updating = new ArrayList<>();
            for (String line : docker("stack", "services", stack, "--format", "{{.ID}} {{.Name}} {{.Replicas}}").lines().toList()) {
                String[] f = line.split(" ");
                String id = f[0], name = f[1], want = f[2].substring(f[2].indexOf('/') + 1);
                String image = docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", id).trim();
                long have = docker("service", "ps", "--no-trunc", id, "--filter", "desired-state=running", "--format",
                        "{{.Image}} {{.CurrentState}}").lines().filter(t -> t.startsWith(image + " Running")).count();
                if (!Long.toString(have).equals(want)) {
                    short_.add(name + " " + have + "/" + want);
                    if (failedPulls(id, image)) {
                        return 1;
                    }
                }
                String state = docker("service", "inspect", "-f", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", id).trim();
                if (Set.of("updating", "rollback_started").contains(state)) {
                    updating.add(name + " " + state);
                } else if (Set.of("paused", "rollback_paused").contains(state)) {
                    System.err.println("[wait] the update of " + name + " is " + state + ": see docker service ps --no-trunc " + name);
                    return 1;
                }
            }
            boolean ready = get(port, "/cluster") != null;
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            String status = "short: " + none(short_) + "; updating: " + none(updating) + "; port ready: " + (ready ? "yes" : "no");
            if (short_.isEmpty() && updating.isEmpty() && ready) {
                System.out.println("[wait] " + stack + " converged in " + seconds + "s: all replicas running, port " + port + " ready");
                return 0;
            }
            if (seconds >= limit) {
                System.err.println("[wait] " + stack + " not ready after " + limit + "s (" + status + ").");
                System.err.println(docker("stack", "ps", "--no-trunc", "--format",
                        "table {{.Node}}\t{{.Name}}\t{{.CurrentState}}\t{{.Error}}", stack).lines().limit(20)
                        .reduce("", (a, b) -> a + b + "\n"));
                System.err.println("[wait] look at 'docker service logs " + stack + "_counter' and the tasks above, fix, and re-run");
                return 1;
            }
            if (seconds >= nextReport) {
                System.out.println("[wait] " + seconds + "s: " + status);
                nextReport = seconds + 10;
            }
            Thread.sleep(2000);
        }
    }

    /** Names each task of IMAGE that a node could not start for want of the image: Swarm retries those forever. */
    static boolean failedPulls(String service, String image) throws Exception {
        Set<String> failed = new TreeSet<>();
        for (String line : docker("service", "ps", "--no-trunc", service, "--format",
                "{{.Node}}|{{.Name}}|{{.CurrentState}}|{{.Error}}|{{.Image}}").lines().toList()) {
            String[] f = line.split("\\|", -1);
            if (f.length == 5 && f[4].equals(image) && f[2].matches("(Rejected|Failed).*")
                    && f[3].toLowerCase(Locale.ROOT).matches(".*(image|pull|manifest|registry|https).*")) {
                failed.add("[wait] node " + f[0] + " could not start task " + f[1] + ": " + f[3]);
            }
        }
        if (failed.isEmpty()) {
            return false;
        }
        failed.forEach(System.err::println);
        System.err.println("[wait] every node must be able to pull " + image + ": on a multi-node swarm set"
                + " REGISTRY=host:port to a registry all nodes reach (or leave it unset to run one), make every engine"
                + " trust it (TLS, or insecure-registries in /etc/docker/daemon.json), and re-run");
        return true;
    }

    static int smoke(int port, int expected, int max) throws Exception {
        Pattern instance = Pattern.compile("You are talking to instance (.*)\\.");
        Set<String> seen = new TreeSet<>();
        int i = 1;
        for (; i <= max; i++) {
            String reply = get(port, "/");
            if (reply == null) {
                System.err.println("[smoke] request " + i + " to 127.0.0.1:" + port + " failed: see docker service logs, then re-run");
                return 1;
            }
            System.out.println("  " + reply.replace('\n', ' '));
            Matcher m = instance.matcher(reply);
            if (m.find()) {
                seen.add(m.group(1));
            }
            if (i >= 2 * expected && seen.size() >= expected) {   // at least two rounds, then every replica
                break;
            }
            Thread.sleep(200);
        }
        System.out.println("[smoke] " + Math.min(i, max) + " requests answered by " + seen.size() + " of " + expected
                + " replicas: " + String.join(" ", seen));
        if (seen.size() < expected) {
            System.err.println("[smoke] not every replica answered: check 'docker service ps' and the edge");
            return 1;
        }
        return 0;
    }

    /** The body of a 2xx answer to GET PATH on this host's PORT, or null. */
    static String get(int port, String path) {
        try {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build();
            var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 ? response.body() : null;
        } catch (Exception unreachable) {
            return null;
        }
    }

    /** docker ARGS's output; a docker that hangs (an engine that stopped answering) is killed after 30 s. */
    static String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(Arrays.asList(args));
        File out = File.createTempFile("stack-check", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(out).start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                System.err.println("[check] docker " + String.join(" ", args) + ": no answer within 30 s");
            }
            return java.nio.file.Files.readString(out.toPath());
        } finally {
            out.delete();
        }
    }

    static String none(List<String> items) {
        return items.isEmpty() ? "none" : String.join(", ", items);
    }
}
