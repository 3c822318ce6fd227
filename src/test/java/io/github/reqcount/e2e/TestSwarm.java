package io.github.reqcount.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The test swarm of src/test/scripts/TestNodes.java: nodes reqcount-node-1..N, node i answering on 127.0.0.1:(18090 + i).
 * Each node's engine is reached through docker exec on this host's engine, so a check can still steer the swarm
 * when a node, even node 1, is down.
 */
final class TestSwarm {

    static final int NODES = Integer.getInteger("e2e.nodes", 3);

    private TestSwarm() {
    }

    static String node(int i) {
        return "reqcount-node-" + i;
    }

    static int number(String node) {
        return Integer.parseInt(node.substring(node.lastIndexOf('-') + 1));
    }

    static String url(int i) {
        return "http://127.0.0.1:" + (18090 + i) + "/";
    }

    /** The base URLs of every node but those given. */
    static List<String> urlsExcept(int... skipped) {
        return IntStream.rangeClosed(1, NODES).filter(i -> IntStream.of(skipped).noneMatch(s -> s == i))
                .mapToObj(TestSwarm::url).toList();
    }

    /** docker ARGS on the engine of the first node that answers as a manager, skipping the given node. */
    static String onManager(int skipped, String... args) {
        for (int i = 1; i <= NODES; i++) {
            if (i != skipped && running(i)) {
                return on(i, args);
            }
        }
        throw new IllegalStateException("No running node to steer the swarm from");
    }

    static String on(int i, String... args) {
        List<String> command = new ArrayList<>(List.of("exec", node(i), "docker"));
        command.addAll(List.of(args));
        return Swarm.docker(command.toArray(String[]::new));
    }

    static boolean running(int i) {
        return Swarm.docker("inspect", "-f", "{{.State.Running}}", node(i)).trim().equals("true");
    }

    /** SIGKILL to the node's container: its engine and every task on it die at once. */
    static void kill(int i) {
        Swarm.docker("kill", node(i));
    }

    static void start(int i) {
        Swarm.docker("start", node(i));
    }

    /** Task name -> node number, for the running tasks of one of the stack's services, as the swarm sees them. */
    static Map<String, Integer> tasks(String service, int steerFromAnyBut) {
        Map<String, Integer> tasks = new TreeMap<>();
        String out = onManager(steerFromAnyBut, "service", "ps", "--filter", "desired-state=running",
                "--format", "{{.Name}} {{.Node}} {{.CurrentState}}", Swarm.service(service));
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[2].equals("Running")) {
                tasks.put(f[0], number(f[1]));
            }
        }
        return tasks;
    }

    /** Node number -> Ready/Down and Active/Drain, as the managers see them. */
    static Map<Integer, String> nodeStates(int steerFromAnyBut) {
        Map<Integer, String> states = new TreeMap<>();
        String out = onManager(steerFromAnyBut, "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}");
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            states.put(number(f[0]), f[1] + " " + f[2]);
        }
        return states;
    }

    static void availability(int i, String availability) {
        onManager(i, "node", "update", "--availability", availability, node(i));
    }

    /** The Redis services of the stack: one, or with REDIS_HA three (redis, redis-2, redis-3). */
    static List<String> redisServices() {
        return ha() ? List.of("redis", "redis-2", "redis-3") : List.of("redis");
    }

    /** Whether the stack runs replicated Redis under Sentinel (deploy/stack/ha.yml). */
    static boolean ha() {
        return onManager(0, "service", "ls", "--format", "{{.Name}}").lines()
                .anyMatch(name -> name.equals(Swarm.service("sentinel-1")));
    }

    /** A Redis task of the stack: its service and the node it runs on. */
    record RedisTask(String service, int node) {
        /** redis-cli as the admin inside its container ("" when none runs there any more). */
        String cli(String... command) {
            return redisCli(node, service, command);
        }
    }

    /** The primary: the Redis whose ROLE says master (the only Redis, without HA). */
    static RedisTask primary() {
        for (String service : redisServices()) {
            for (int node : tasks(service, 0).values()) {
                var task = new RedisTask(service, node);
                if (task.cli("role").lines().findFirst().orElse("").equals("master")) {
                    return task;
                }
            }
        }
        throw new IllegalStateException("No Redis of the stack answers as primary");
    }

    /** The cluster total, read on the primary. */
    static long redisTotal() {
        String value = primary().cli("get", "total_count").trim();
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }

    /** How many replicas the primary has in sync (connected_slaves in its INFO replication). */
    static int replicasInSync() {
        return primary().cli("info", "replication").lines().filter(l -> l.startsWith("connected_slaves:"))
                .mapToInt(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).trim())).findFirst().orElse(0);
    }

    /** redis-cli as the admin inside the service's container on the node ("" when none runs there). */
    private static String redisCli(int node, String service, String... command) {
        String container = on(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + Swarm.service(service)).trim();
        if (container.isEmpty()) {
            return "";
        }
        List<String> args = new ArrayList<>(List.of("exec", container));
        args.addAll(Swarm.adminCliCommand(command));
        return on(node, args.toArray(String[]::new));
    }
}
