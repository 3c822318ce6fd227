package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One node's Redis and its Sentinel beside it, started in the node's namespace by the repository's own
 * deploy/redis-ha/redis-start.sh and deploy/redis-ha/sentinel-start.sh with the stack's settings. Their output goes to
 * redis.log and sentinel.log in the node's directory.
 */
final class RedisNode {

    static final int REDIS_PORT = 6379;
    static final int SENTINEL_PORT = 26379;

    final int node;
    private final Path repo;
    private final Path dir;
    private final Secrets secrets;
    private Process redis;
    private Process sentinel;

    /** Whether Redis and its Sentinel go by names (redis-N, sentinel-N: Network.useNameServer), as in the stack. */
    private final boolean named;

    RedisNode(int node, Path repo, Path runDir, Secrets secrets) {
        this(node, repo, runDir, secrets, false);
    }

    RedisNode(int node, Path repo, Path runDir, Secrets secrets, boolean named) {
        this.node = node;
        this.repo = repo;
        this.dir = runDir.resolve("node" + node);
        this.secrets = secrets;
        this.named = named;
    }

    Path redisLog() {
        return dir.resolve("redis.log");
    }

    Path sentinelLog() {
        return dir.resolve("sentinel.log");
    }

    void startRedis() {
        redis = start("deploy/redis-ha/redis-start.sh", redisLog(), named ? Network.redisName(node) : Network.ip(node));
    }

    void startSentinel() {
        sentinel = start("deploy/redis-ha/sentinel-start.sh", sentinelLog(),
                named ? Network.sentinelName(node) : Network.ip(node));
    }

    /** SIGKILLs the Sentinel process; its start script then ends by itself. */
    void killSentinel() {
        sentinel.descendants().forEach(ProcessHandle::destroyForcibly);
        sentinel.destroyForcibly();
    }

    /**
     * SIGTERM to both start scripts, as `docker stop` sends a task's main process, and waits until both have ended
     * (they stop their server first); SIGKILL after 10 s, as Docker does.
     */
    void terminate() {
        for (Process process : new Process[] {sentinel, redis}) {
            process.destroy();
        }
        for (Process process : new Process[] {sentinel, redis}) {
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    void stop() {
        for (Process process : new Process[] {sentinel, redis}) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }

    private Process start(String script, Path log, String self) {
        try {
            Files.createDirectories(dir);
            ProcessBuilder builder = new ProcessBuilder(
                    List.of("ip", "netns", "exec", Network.namespace(node), "sh", repo.resolve(script).toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment());
            builder.environment().put("HA_SELF", self);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stack's settings (deploy/stack/ha.yml), with this node's directories; HA_SELF is the process's own. */
    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("HA_NAME", "reqcount");
        env.put("HA_DIR", dir.toString());
        env.put("HA_PORT", String.valueOf(REDIS_PORT));
        env.put("HA_SENTINEL_PORT", String.valueOf(SENTINEL_PORT));
        env.put("HA_SENTINELS", named ? Cluster.named(Network::sentinelName, SENTINEL_PORT) : Cluster.all(SENTINEL_PORT));
        env.put("HA_REDIS", named ? Cluster.named(Network::redisName, REDIS_PORT) : Cluster.all(REDIS_PORT));
        env.put("HA_INITIAL_PRIMARY", (named ? Network.redisName(1) : Network.ip(1)) + ":" + REDIS_PORT);
        env.put("HA_QUORUM", "2");
        env.put("HA_DOWN_AFTER_MS", "1500");
        env.put("HA_FAILOVER_TIMEOUT_MS", "10000");
        env.put("HA_MIN_REPLICAS", "1");
        env.put("HA_MIN_REPLICAS_MAX_LAG", "5");
        env.put("REDIS_APPENDFSYNC", "always");
        env.put("REDIS_AUTH", "true");
        env.put("REDIS_USERNAME", "reqcount");
        env.put("SECRETS_DIR", secrets.dir().toString());
        env.put("HA_REDIS_START", repo.resolve("deploy/redis/start.sh").toString());
        env.put("ACL_TEMPLATE", repo.resolve("deploy/redis/users.acl").toString());
        env.put("ACL_FILE", dir.resolve("users.acl").toString());
        return env;
    }
}
