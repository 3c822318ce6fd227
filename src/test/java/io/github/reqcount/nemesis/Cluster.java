package io.github.reqcount.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** What the observer asks the Redis servers and the Sentinels, as admin, through redis-cli with a short bound. */
final class Cluster {

    private final Map<String, String> auth;

    Cluster(Secrets secrets) {
        this.auth = Map.of("REDISCLI_AUTH", secrets.admin()); // never on the command line
    }

    /** Every node's address with the port: ip1:port,ip2:port,ip3:port. */
    static String all(int port) {
        return IntStream.rangeClosed(1, Network.NODES).mapToObj(n -> Network.ip(n) + ":" + port)
                .collect(Collectors.joining(","));
    }

    /** Every node's name with the port: name1:port,name2:port,name3:port. */
    static String named(java.util.function.IntFunction<String> name, int port) {
        return IntStream.rangeClosed(1, Network.NODES).mapToObj(n -> name.apply(n) + ":" + port)
                .collect(Collectors.joining(","));
    }

    /** One command's answer, or an empty list when the server doesn't answer within 2 s. */
    List<String> ask(int node, int port, String... command) {
        List<String> cli = new ArrayList<>(List.of("timeout", "2", "redis-cli", "--no-auth-warning", "--user", "admin",
                "-h", Network.ip(node), "-p", String.valueOf(port), "--raw"));
        cli.addAll(List.of(command));
        Shell.Result result = Shell.exec(auth, cli);
        String output = result.output();
        if (result.exitCode() != 0 || output.startsWith("ERR") || output.contains("Could not connect")) {
            return List.of();
        }
        return result.output().lines().toList();
    }

    /** The node Sentinel on the given node names as primary, or 0. */
    int primaryPerSentinel(int sentinel) {
        List<String> answer = ask(sentinel, RedisNode.SENTINEL_PORT, "sentinel", "get-master-addr-by-name", "reqcount");
        return answer.size() == 2 ? Network.nodeOf(answer.get(0)) : 0;
    }

    /** The primary all three Sentinels name, or 0 while they disagree or one doesn't answer. */
    int agreedPrimary() {
        Set<Integer> named = new HashSet<>();
        for (int node = 1; node <= Network.NODES; node++) {
            named.add(primaryPerSentinel(node));
        }
        return named.size() == 1 && !named.contains(0) ? named.iterator().next() : 0;
    }

    /** A field of INFO on a node's Redis (or its Sentinel), or "". */
    String info(int node, int port, String section, String field) {
        return ask(node, port, "info", section).stream().filter(line -> line.startsWith(field + ":"))
                .map(line -> line.substring(field.length() + 1).strip()).findFirst().orElse("");
    }

    long redisPid(int node) {
        return Long.parseLong(info(node, RedisNode.REDIS_PORT, "server", "process_id"));
    }

    long sentinelPid(int node) {
        return Long.parseLong(info(node, RedisNode.SENTINEL_PORT, "server", "process_id"));
    }

    /**
     * Whether the set has converged: the Sentinels agree on one primary, none sees it down or fails over, it is
     * a primary with both replicas connected, and each replica follows it with its link up.
     */
    int converged() {
        int primary = agreedPrimary();
        if (primary == 0) {
            return 0;
        }
        for (int sentinel = 1; sentinel <= Network.NODES; sentinel++) {
            List<String> master = ask(sentinel, RedisNode.SENTINEL_PORT, "sentinel", "master", "reqcount");
            int flags = master.indexOf("flags");
            if (flags < 0 || !master.get(flags + 1).equals("master")) {
                return 0;
            }
        }
        if (!info(primary, RedisNode.REDIS_PORT, "replication", "role").equals("master")
                || !info(primary, RedisNode.REDIS_PORT, "replication", "connected_slaves").equals("2")) {
            return 0;
        }
        for (int node = 1; node <= Network.NODES; node++) {
            if (node == primary) {
                continue;
            }
            if (Network.nodeOf(info(node, RedisNode.REDIS_PORT, "replication", "master_host")) != primary
                    || !info(node, RedisNode.REDIS_PORT, "replication", "master_link_status").equals("up")) {
                return 0;
            }
        }
        return primary;
    }

    /**
     * Waits until the set has converged, and stayed so with the same primary for 3 s (a failover can start a
     * moment after a heal), and returns its primary; fails with what each Sentinel says if not.
     */
    int awaitConverged(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        long since = 0;
        int last = 0;
        while (System.nanoTime() < deadline) {
            int primary = converged();
            if (primary == 0 || primary != last) {
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= Duration.ofSeconds(3).toNanos()) {
                return primary;
            }
            last = primary;
            sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("the Redis set did not converge within " + bound + ": the Sentinels name "
                + IntStream.rangeClosed(1, Network.NODES).mapToObj(this::primaryPerSentinel).toList()
                + " (node numbers, 0 = no answer)");
    }

    /** total_count on the primary, as admin. */
    long totalCount(int primary) {
        List<String> answer = ask(primary, RedisNode.REDIS_PORT, "get", "total_count");
        return answer.isEmpty() || answer.get(0).isBlank() ? 0 : Long.parseLong(answer.get(0).strip());
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
