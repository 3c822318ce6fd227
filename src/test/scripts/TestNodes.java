import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test swarm of N Docker engines on this one host: Docker-in-Docker containers reqcount-node-1..N, all managers
 * (the swarm keeps its quorum when any one dies), on their own network reqcount-node-net.
 *
 *   java src/test/scripts/TestNodes.java up [N]    start (or complete) N nodes, default 3
 *   java src/test/scripts/TestNodes.java status    the nodes, and where each task runs
 *   java src/test/scripts/TestNodes.java down      remove the nodes, their volumes and their network
 *
 * Node 1's engine answers on 127.0.0.1:TEST_SWARM_DOCKER_PORT (12375); node i's service port is published on
 * 127.0.0.1:(18090 + i) only. Deploy with SERVICE_PORT=TEST_SWARM_SERVICE_PORT (18091) so that the deploying
 * script's own checks on 127.0.0.1:18091 reach node 1. Env: TEST_SWARM_SUBNET (172.30.213.0/24). The nodes run on
 * this host's engine, whatever DOCKER_HOST says (it may point at node 1 already).
 */
public class TestNodes {

    static final String PREFIX = "reqcount-node", LABEL = "reqcount.test-node=true", NETWORK = "reqcount-node-net";
    static final String NODE_IMAGE = "reqcount/dind-standin:20.10";
    static final String SUBNET = env("TEST_SWARM_SUBNET", "172.30.213.0/24");
    static final String NET = SUBNET.substring(0, SUBNET.lastIndexOf('.'));   // node i is NET.(10 + i)
    static final int DOCKER_PORT = Integer.parseInt(env("TEST_SWARM_DOCKER_PORT", "12375"));
    static final int SERVICE_PORT = Integer.parseInt(env("TEST_SWARM_SERVICE_PORT", "18091"));
    /** Stand-in images node 1 gets from this host's cache, so that nothing is built twice. */
    static final List<String> SEED_IMAGES = List.of("reqcount/redis-standin:7", "reqcount/jre-standin:25",
            "reqcount/haproxy-standin:2.6", "reqcount/registry-standin:2");
    /** What a nested engine needs where --privileged is refused (measured): every capability but SYS_RESOURCE. */
    static final List<String> NESTED = List.of("--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE", "--security-opt",
            "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
            "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw");
    static final String DOCKER = System.getenv("DOCKER") != null ? System.getenv("DOCKER")
            : new java.io.File("/usr/bin/docker").canExecute() ? "/usr/bin/docker" : "docker";

    public static void main(String[] args) throws Exception {
        try {
            switch (args.length > 0 ? args[0] : "") {
                case "up" -> up(args.length > 1 ? args[1] : "3");
                case "status" -> status();
                case "down" -> down();
                default -> fail(2, "usage: java src/test/scripts/TestNodes.java up [N] | status | down");
            }
        } catch (IllegalStateException failed) {
            fail(1, failed.getMessage());
        }
    }

    static void up(String count) throws Exception {
        if (!count.matches("[1-9]")) {
            fail(2, "N must be 1..9 (ports 18091-18099), got '" + count + "'");
        }
        int n = Integer.parseInt(count);
        // The registry stand-in is built alongside, so that node 1 gets it from the cache.
        Process registry = start(List.of("bash", "deploy/scripts/build-standin-image.sh", "registry"), ProcessBuilder.Redirect.INHERIT);
        check(run("bash", "deploy/scripts/build-standin-image.sh", "dind", NODE_IMAGE), "building " + NODE_IMAGE);
        check(registry.waitFor() == 0, "building the registry stand-in");

        if (!ok("network", "inspect", NETWORK)) {
            say("creating network " + NETWORK + " (" + SUBNET + ")");
            check(ok("network", "create", "--label", LABEL, "--subnet", SUBNET, NETWORK),
                    "cannot create " + SUBNET + ": it overlaps another network; choose a free one with TEST_SWARM_SUBNET");
        }
        for (int i = 1; i <= n; i++) {
            String node = PREFIX + "-" + i;
            if (ok("inspect", node)) {
                say(node + " exists: starting it if stopped");
                docker("start", node);
                continue;
            }
            for (int port : i == 1 ? List.of(18090 + i, DOCKER_PORT) : List.of(18090 + i)) {
                check(!listening(port), "127.0.0.1:" + port + " is already in use: stop what listens there"
                        + " (or set TEST_SWARM_DOCKER_PORT)");
            }
            say("starting " + node + " at " + NET + "." + (10 + i) + ", service port 127.0.0.1:" + (18090 + i));
            docker("volume", "create", "--label", LABEL, node + "-docker");
            List<String> command = new ArrayList<>(List.of("run", "-d", "--name", node, "--hostname", node, "--label",
                    LABEL, "--init"));
            command.addAll(NESTED);
            command.addAll(List.of("--network", NETWORK, "--ip", NET + "." + (10 + i), "-v", node + "-docker:/var/lib/docker",
                    "-p", "127.0.0.1:" + (18090 + i) + ":" + SERVICE_PORT));
            if (i == 1) {
                command.addAll(List.of("-p", "127.0.0.1:" + DOCKER_PORT + ":2375"));
            }
            // A killed node leaves pid files behind that stop its engine from starting again: clear them first.
            // Plain TCP for the engine is reachable from this host's loopback and the nodes' own network only.
            command.addAll(List.of("--entrypoint", "sh", NODE_IMAGE, "-c",
                    "rm -rf /run/docker /run/docker.pid /run/containerd; exec dockerd \"$@\"", "dockerd",
                    "--host", "unix:///var/run/docker.sock", "--host", "tcp://0.0.0.0:2375", "--tls=false",
                    "--storage-driver", "overlay2", "--insecure-registry", SUBNET));
            check(ok(command.toArray(String[]::new)), "this host's engine refused to start a nested engine (see above):"
                    + " it needs the options in this program; run on a host that allows them, then down and up again");
        }
        for (int i = 1; i <= n; i++) {
            awaitEngine(i);
        }
        say(n + " engines answer");

        if (!on(1, "info", "-f", "{{.Swarm.LocalNodeState}}").equals("active")) {
            say("swarm init on " + PREFIX + "-1");
            on(1, "swarm", "init", "--advertise-addr", NET + ".11");
        }
        String token = on(1, "swarm", "join-token", "-q", "manager");
        for (int i = 2; i <= n; i++) {
            if (!on(i, "info", "-f", "{{.Swarm.LocalNodeState}}").equals("active")) {
                say(PREFIX + "-" + i + " joins as a manager");
                on(i, "swarm", "join", "--token", token, "--advertise-addr", NET + "." + (10 + i), NET + ".11:2377");
            }
        }
        for (String image : SEED_IMAGES) {
            if (ok("image", "inspect", image) && !ok("exec", PREFIX + "-1", "docker", "image", "inspect", image)) {
                say("copying " + image + " from this host's cache to " + PREFIX + "-1");
                check(run("sh", "-c", "\"$0\" save \"$1\" | \"$0\" exec -i \"$2\" docker load -q >/dev/null",
                        DOCKER, image, PREFIX + "-1"), "copying " + image);
            }
        }
        status();
        say("ready. Deploy the stack onto it with the usual script:\n  export DOCKER_HOST=tcp://127.0.0.1:" + DOCKER_PORT
                + "\n  SERVICE_PORT=" + SERVICE_PORT + " bash start_service.sh\nNode i answers on http://127.0.0.1:1809i/ ;"
                + " remove everything with: java src/test/scripts/TestNodes.java down");
    }

    /** A node's engine answers within the bound, or we say why it can't start (most often: no nested engines here). */
    static void awaitEngine(int i) throws Exception {
        String node = PREFIX + "-" + i;
        for (int t = 0; t < 60 && output("inspect", "-f", "{{.State.Running}}", node).equals("true"); t++) {
            if (ok("exec", node, "docker", "info")) {
                return;
            }
            Thread.sleep(1000);
        }
        run(DOCKER, "logs", "--tail", "15", node);
        fail(1, "the engine in " + node + " did not start (its log is above). This host can't run nested Docker engines"
                + " as configured: the container needs the capabilities in this program (--privileged alone is refused"
                + " on some hosts), cgroups mounted read-write, and a kernel with overlay2. Run it on a host or VM where"
                + " 'docker run --cap-add ALL ... " + NODE_IMAGE + "' can start dockerd, then down and up again.");
    }

    static void status() throws Exception {
        List<String> running = nodes("--filter", "status=running");
        if (running.isEmpty()) {
            say("no node is running (java src/test/scripts/TestNodes.java up)");
            return;
        }
        run(DOCKER, "ps", "-a", "--filter", "label=" + LABEL, "--format", "table {{.Names}}\t{{.Status}}\t{{.Ports}}");
        int first = Integer.parseInt(running.get(0).substring(PREFIX.length() + 1));
        if (!ok("exec", running.get(0), "docker", "node", "ls")) {
            say(running.get(0) + " is not in a swarm yet: up");
            return;
        }
        run(DOCKER, "exec", running.get(0), "docker", "node", "ls");
        System.out.printf("%-16s  %-48s  %s%n", "NODE", "TASK", "STATE");
        List<String> tasks = new ArrayList<>();
        for (String service : on(first, "service", "ls", "-q").lines().toList()) {
            tasks.addAll(on(first, "service", "ps", "--filter", "desired-state=running", "--format",
                    "{{.Node}}\t{{.Name}}\t{{.CurrentState}}", service).lines().toList());
        }
        tasks.stream().sorted().map(t -> t.split("\t", 3))
                .forEach(t -> System.out.printf("%-16s  %-48s  %s%n", t[0], t[1], t.length > 2 ? t[2] : ""));
    }

    static void down() throws Exception {
        List<String> names = nodes();
        if (!names.isEmpty()) {
            say("removing " + String.join(" ", names));
            List<String> command = new ArrayList<>(List.of("rm", "-f", "-v"));
            command.addAll(names);
            docker(command.toArray(String[]::new));
        }
        List<String> volumes = output("volume", "ls", "-q", "--filter", "label=" + LABEL).lines().toList();
        if (!volumes.isEmpty()) {
            say("removing volumes " + String.join(" ", volumes));
            List<String> command = new ArrayList<>(List.of("volume", "rm"));
            command.addAll(volumes);
            docker(command.toArray(String[]::new));
        }
        if (ok("network", "inspect", NETWORK)) {
            say("removing network " + NETWORK);
            docker("network", "rm", NETWORK);
        }
        say("down");
    }

    /** The nodes' container names, by number. */
    static List<String> nodes(String... filters) throws Exception {
        List<String> command = new ArrayList<>(List.of("ps", "-a"));
        command.addAll(Arrays.asList(filters));
        command.addAll(List.of("--filter", "label=" + LABEL, "--format", "{{.Names}}"));
        return output(command.toArray(String[]::new)).lines().filter(n -> n.matches(PREFIX + "-[0-9]+"))
                .sorted((a, b) -> Integer.parseInt(a.substring(PREFIX.length() + 1)) - Integer.parseInt(b.substring(PREFIX.length() + 1)))
                .toList();
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException free) {
            return false;
        }
    }

    /** docker ARGS on node I's engine; its output, trimmed. Fails on an error. */
    static String on(int i, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("exec", PREFIX + "-" + i, "docker"));
        command.addAll(Arrays.asList(args));
        return docker(command.toArray(String[]::new));
    }

    static String docker(String... args) throws Exception {
        Result result = exec(args);
        check(result.exit() == 0, "docker " + String.join(" ", args) + " failed: " + result.out());
        return result.out();
    }

    /** The output of docker ARGS, trimmed, or nothing if it fails. */
    static String output(String... args) throws Exception {
        try {
            return docker(args);
        } catch (IllegalStateException failed) {
            return "";
        }
    }

    static boolean ok(String... args) throws Exception {
        return exec(args).exit() == 0;
    }

    record Result(int exit, String out) {
    }

    /**
     * docker ARGS, its output (with errors) to a file, so that the limit holds however much it prints: a docker
     * that hangs is killed after 120 s and counts as failed (exit -1).
     */
    static Result exec(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(Arrays.asList(args));
        Path out = Files.createTempFile("test-nodes", ".out");
        try {
            Process process = start(command, ProcessBuilder.Redirect.to(out.toFile()));
            boolean done = process.waitFor(120, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly();
            }
            return new Result(done ? process.exitValue() : -1, Files.readString(out).trim());
        } finally {
            Files.delete(out);
        }
    }

    /** Runs a command with its output shown, and waits for it. */
    static boolean run(String... command) throws Exception {
        return start(List.of(command), ProcessBuilder.Redirect.INHERIT).waitFor() == 0;
    }

    static Process start(List<String> command, ProcessBuilder.Redirect output) throws IOException {
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output);
        builder.environment().remove("DOCKER_HOST");
        return builder.start();
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    static void fail(int code, String message) {
        System.err.println("[test-swarm] " + message);
        System.exit(code);
    }

    static void say(String message) {
        System.out.println("[test-swarm] " + message);
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }
}
