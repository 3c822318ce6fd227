package io.github.reqcount.support;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.test.util.TestSocketUtils;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A primary, its replicas and three Sentinels, each in its own container on the host's network and listening on
 * its own loopback port, started by the same scripts (deploy/redis-ha/) as in the Swarm stack. On loopback, the addresses
 * that the Sentinels announce are the ones the service on the host dials. A container keeps its data directory
 * when it is killed and started again, as a Swarm task with a volume does. Every Redis runs the repository's ACL
 * (deploy/redis/users.acl through deploy/redis/start.sh) and every Sentinel the users sentinel-start.sh gives it: the service
 * logs in to both as its own user ({@link RedisServer#USER}), replicas to the primary as `replication`, the
 * Sentinels and these helpers as `sentinel`.
 */
public final class ReplicatedRedis implements AutoCloseable {

    public static final String MASTER = "reqcount";
    public static final String REPLICATION_PASSWORD = "replication-secret";
    public static final String SENTINEL_PASSWORD = "sentinel-secret";

    private final List<Node> redis = new ArrayList<>();
    private final List<Node> sentinels = new ArrayList<>();

    /** One container and the loopback port it listens on. */
    public record Node(GenericContainer<?> container, int port) {
        public String address() {
            return "127.0.0.1:" + port;
        }
    }

    /** Starts replicas + 1 Redis (the first is the primary) and three Sentinels with the given timings. */
    public ReplicatedRedis(int replicas, Duration downAfter, Duration failoverTimeout) {
        RedisServer.requireDocker();
        for (int i = 0; i <= replicas; i++) {
            redis.add(new Node(null, TestSocketUtils.findAvailableTcpPort()));
        }
        for (int i = 0; i < 3; i++) {
            sentinels.add(new Node(null, TestSocketUtils.findAvailableTcpPort()));
        }
        String redisList = redis.stream().map(Node::address).collect(Collectors.joining(","));
        String common = "HA_SELF=127.0.0.1 HA_DIR=/data REDIS_USERNAME=" + RedisServer.USER
                + " HA_SENTINELS=" + sentinelNodes() + " HA_INITIAL_PRIMARY=" + redis.get(0).address()
                + " HA_DOWN_AFTER_MS=" + downAfter.toMillis() + " HA_FAILOVER_TIMEOUT_MS=" + failoverTimeout.toMillis();
        for (int i = 0; i < redis.size(); i++) {
            redis.set(i, start(redis.get(i).port(), common + " HA_PORT=" + redis.get(i).port(), "redis-start.sh",
                    ".*Ready to accept connections.*"));
        }
        for (int i = 0; i < sentinels.size(); i++) {
            sentinels.set(i, start(sentinels.get(i).port(), common + " HA_SENTINEL_PORT=" + sentinels.get(i).port()
                    + " HA_REDIS=" + redisList, "sentinel-start.sh", ".*\\+monitor master.*"));
        }
        await("the Sentinels see every replica and each other").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> sentinels.stream().allMatch(s -> masterField(s, "num-slaves").equals(String.valueOf(replicas))
                        && masterField(s, "num-other-sentinels").equals("2")));
    }

    /** REDIS_SENTINEL_NODES for the service: host:port,... */
    public String sentinelNodes() {
        return sentinels.stream().map(Node::address).collect(Collectors.joining(","));
    }

    /** The Redis that the first answering Sentinel names as primary. */
    public Node primary() {
        for (Node sentinel : sentinels) {
            String[] answer = cli(sentinel, "sentinel", "get-master-addr-by-name", MASTER).trim().split("\\s+");
            if (answer.length == 2) {
                return redis.stream().filter(r -> r.port() == Integer.parseInt(answer[1])).findFirst().orElseThrow();
            }
        }
        throw new IllegalStateException("No Sentinel names a primary");
    }

    public List<Node> redis() {
        return List.copyOf(redis);
    }

    public List<Node> sentinels() {
        return List.copyOf(sentinels);
    }

    /** One command to a Sentinel or a Redis, as the Sentinels' user, which may do anything on a Sentinel. */
    public String command(Node node, String... command) {
        return cli(node, command);
    }

    /** The first line of ROLE: master or slave (empty if it doesn't answer). */
    public String role(Node node) {
        return cli(node, "role").lines().findFirst().orElse("");
    }

    /** Whether the node is a replica in sync with its primary (the initial sync done). */
    public boolean inSync(Node node) {
        return role(node).equals("slave")
                && cli(node, "info", "replication").lines().anyMatch(l -> l.trim().equals("master_link_status:up"));
    }

    public long total(Node node) {
        String value = cliAs(node, "admin", RedisServer.ADMIN_PASSWORD, "get", "total_count").trim();
        return value.isEmpty() ? 0 : Long.parseLong(value);
    }

    /** SIGKILL: nothing gets a chance to flush. */
    public void kill(Node node) {
        docker().killContainerCmd(node.container().getContainerId()).exec();
    }

    /** Starts a killed node again, with its data as it was, as Swarm restarts a task. */
    public void restart(Node node) {
        docker().startContainerCmd(node.container().getContainerId()).exec();
    }

    @Override
    public void close() {
        for (Node node : sentinels) {
            node.container().stop();
        }
        for (Node node : redis) {
            node.container().stop();
        }
    }

    private String masterField(Node sentinel, String field) {
        List<String> lines = cli(sentinel, "sentinel", "master", MASTER).lines().toList();
        int at = lines.indexOf(field);
        return at >= 0 && at + 1 < lines.size() ? lines.get(at + 1) : "";
    }

    /** redis-cli inside the node's container, as the Sentinels' user; "" if it can't run. */
    private static String cli(Node node, String... command) {
        return cliAs(node, "sentinel", SENTINEL_PASSWORD, command);
    }

    private static String cliAs(Node node, String user, String password, String... command) {
        var args = new ArrayList<>(List.of("env", "REDISCLI_AUTH=" + password, "timeout", "2", "redis-cli",
                "--no-auth-warning", "--user", user, "-p", String.valueOf(node.port()), "--raw"));
        args.addAll(List.of(command));
        try {
            if (!node.container().isRunning()) {
                return "";
            }
            return node.container().execInContainer(args.toArray(String[]::new)).getStdout();
        } catch (IOException | RuntimeException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Node start(int port, String env, String script, String readyLog) {
        var container = new GenericContainer<>(DockerImageName.parse(RedisServer.IMAGE).asCompatibleSubstituteFor("redis"))
                .withNetworkMode("host")
                .withCopyFileToContainer(MountableFile.forHostPath("deploy/redis-ha/common.sh"), "/ha/common.sh")
                .withCopyFileToContainer(MountableFile.forHostPath("deploy/redis-ha/" + script), "/ha/" + script)
                .withCopyFileToContainer(MountableFile.forHostPath("deploy/redis/users.acl"), "/usr/local/etc/redis/users.acl")
                .withCopyFileToContainer(MountableFile.forHostPath("deploy/redis/start.sh"), "/usr/local/etc/redis/start.sh")
                .withCopyToContainer(Transferable.of(RedisServer.PASSWORD, 0444), "/run/secrets/redis-password")
                .withCopyToContainer(Transferable.of(RedisServer.ADMIN_PASSWORD, 0444), "/run/secrets/redis-admin-password")
                .withCopyToContainer(Transferable.of(REPLICATION_PASSWORD, 0444), "/run/secrets/redis-replication-password")
                .withCopyToContainer(Transferable.of(SENTINEL_PASSWORD, 0444), "/run/secrets/redis-sentinel-password")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "/ha/" + script))
                .waitingFor(Wait.forLogMessage(readyLog, 1))
                .withStartupTimeout(Duration.ofSeconds(60));
        for (String pair : env.split(" ")) {
            container.withEnv(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        container.start();
        return new Node(container, port);
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
