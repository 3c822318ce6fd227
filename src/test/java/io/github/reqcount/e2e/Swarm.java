package io.github.reqcount.e2e;

import io.github.reqcount.support.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The deployed test stack, reached through the docker CLI: find, inspect and kill its containers, read Redis. */
final class Swarm {

    static final String STACK = System.getProperty("e2e.stack", "reqcount-e2e");
    static final String URL = System.getProperty("e2e.url", "http://127.0.0.1:18083/");
    static final int REPLICAS = Integer.getInteger("e2e.replicas", 3);
    private static final String DOCKER = System.getenv().getOrDefault("DOCKER", "docker");

    private Swarm() {
    }

    static String service(String name) {
        return STACK + "_" + name;
    }

    /** IDs of the running containers of one of the stack's services. */
    static List<String> containers(String service) {
        String out = docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service(service));
        return out.isBlank() ? List.of() : List.of(out.trim().split("\\s+"));
    }

    static String hostname(String container) {
        return docker("inspect", "--format", "{{.Config.Hostname}}", container).trim();
    }

    static void kill(String container) {
        docker("kill", container);
    }

    /** The cluster total as Redis holds it, read inside the Redis container (Redis is never published). */
    static long redisTotal() {
        String value = adminCli("get", "total_count").trim();
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }

    /** redis-cli inside the Redis container, as the admin user when the stack runs with Redis auth. */
    static String adminCli(String... command) {
        List<String> redis = containers("redis");
        if (redis.size() != 1) {
            throw new IllegalStateException("Expected one running Redis container, found " + redis);
        }
        List<String> args = new ArrayList<>(List.of("exec", redis.get(0)));
        args.addAll(adminCliCommand(command));
        return docker(args.toArray(String[]::new));
    }

    /** What to run inside a Redis container for redis-cli as the admin (whose secret only Redis has), or as nobody without auth. */
    static List<String> adminCliCommand(String... command) {
        List<String> args = new ArrayList<>(List.of("sh", "-c",
                "if [ -s /run/secrets/redis-admin-password ]; then export REDISCLI_AUTH=\"$(cat /run/secrets/redis-admin-password)\";"
                        + " exec redis-cli --no-auth-warning --user admin --raw \"$@\"; fi; exec redis-cli --raw \"$@\"", "cli"));
        args.addAll(List.of(command));
        return args;
    }

    /**
     * redis-cli in a throwaway container on the stack's network, as any container there could run it: no user when
     * password is null, else the service's user with that password. Returns what it printed.
     */
    static String outsiderCli(String password, String... command) {
        String image = docker("service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", service("redis")).trim();
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", STACK + "_backend", "--entrypoint", "redis-cli"));
        if (password != null) {
            args.addAll(List.of("-e", "REDISCLI_AUTH=" + password));
        }
        args.add(image);
        args.addAll(List.of("--no-auth-warning", "-h", "redis"));
        if (password != null) {
            args.addAll(List.of("--user", System.getProperty("e2e.redis.user", "reqcount")));
        }
        args.addAll(List.of(command));
        return docker(args.toArray(String[]::new));
    }

    /**
     * Each running replica's local count (reqcount_requests_served_total), read from its management port inside its
     * container, so that reading it counts nothing.
     */
    static Map<String, String> localCounts() {
        Map<String, String> counts = new TreeMap<>();
        for (String container : containers("counter")) {
            String metrics = docker("exec", container, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${MANAGEMENT_PORT:-8081};"
                    + " printf 'GET /actuator/prometheus HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
            counts.put(container.substring(0, 12), metrics.lines().filter(l -> l.startsWith("reqcount_requests_served_total"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElse("none"));
        }
        return counts;
    }

    static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(List.of(args));
        try {
            Command.Result run = Command.run(new ProcessBuilder(command), Duration.ofSeconds(300));
            if (run.exit() != 0) {
                throw new IllegalStateException(command + " exited " + run.exit() + ": " + run.output());
            }
            return run.output();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
