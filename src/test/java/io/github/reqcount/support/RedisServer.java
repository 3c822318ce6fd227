package io.github.reqcount.support;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.util.TestSocketUtils;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * One real Redis for the integration tests, with AOF on and the repository's ACL (deploy/redis/users.acl, started by
 * deploy/redis/start.sh exactly as the stack starts it): the service connects as its least-privilege user, and the tests
 * set up and inspect as the admin. One container serves every integration test in the JVM.
 *
 * <p>Why not a {@code @ServiceConnection} container: the tests SIGKILL Redis and start the same container again,
 * and the service under test must find it at the address it had, as a replica finds a restarted Swarm task. Docker
 * gives a restarted container a new random host port, so this one binds a fixed host port, chosen free at start;
 * the container keeps its data directory across a restart, as a Swarm task with a volume does. And the service
 * logs in as its ACL user, which a service connection doesn't carry: tests hand Boot these settings with
 * {@link #asServiceUser} (a {@code @DynamicPropertySource}), or the original variables through RunningApp.
 *
 * <p>The image is -Dredis.image, else REDIS_IMAGE, else redis:7-alpine; on hosts without a registry, point it at
 * the local stand-in. Docker is required: without it these tests fail and say so, they never skip.
 */
public final class RedisServer {

    public static final String IMAGE = firstSet(System.getProperty("redis.image"), System.getenv("REDIS_IMAGE"),
            "redis:7-alpine");

    /** The service's Redis user and password, and the admin's password, as the secrets would hold them. */
    public static final String USER = "reqcount";
    public static final String PASSWORD = "service-secret";
    public static final String ADMIN_PASSWORD = "admin-secret";

    private static RedisServer shared;

    private final GenericContainer<?> container;
    private final int port;

    private RedisServer() {
        requireDocker();
        port = TestSocketUtils.findAvailableTcpPort();
        container = new GenericContainer<>(DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("redis"))
                .withCopyToContainer(MountableFile.forHostPath("deploy/redis/users.acl"), "/usr/local/etc/redis/users.acl")
                .withCopyToContainer(MountableFile.forHostPath("deploy/redis/start.sh"), "/usr/local/etc/redis/start.sh")
                .withCopyToContainer(Transferable.of(PASSWORD, 0444), "/run/secrets/redis-password")
                .withCopyToContainer(Transferable.of(ADMIN_PASSWORD, 0444), "/run/secrets/redis-admin-password")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("sh", "/usr/local/etc/redis/start.sh"))
                .withCommand("--protected-mode", "no", "--dir", "/tmp",
                        "--appendonly", "yes", "--appendfsync", "always", "--save", "")
                .withExposedPorts(6379)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(port), new ExposedPort(6379))))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1))
                .withStartupTimeout(Duration.ofSeconds(60));
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    }

    /** Fails loudly, saying what to do, when there is no Docker engine: these tests never skip. */
    static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("The integration tests need a Docker engine and found none. "
                    + "Run 'bash testing_infrastructure.sh', which sets one up, or start Docker and run './mvnw verify'.");
        }
    }

    /** The Redis that all integration tests in this JVM share, started on first use. */
    public static synchronized RedisServer shared() {
        if (shared == null) {
            shared = new RedisServer();
        }
        return shared;
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return port;
    }

    /** Boot's Redis settings for this Redis, as the service's user: for a {@code @DynamicPropertySource}. */
    public void asServiceUser(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", this::host);
        registry.add("spring.data.redis.port", this::port);
        registry.add("spring.data.redis.username", () -> USER);
        registry.add("spring.data.redis.password", () -> PASSWORD);
    }

    /** Empties Redis, so that a test starts with a fresh cluster. */
    public void flushAll() {
        String reply = cli("admin", ADMIN_PASSWORD, "flushall");
        if (!reply.contains("OK")) {
            throw new IllegalStateException("FLUSHALL failed: " + reply);
        }
    }

    /** One redis-cli command as the given user, inside the container; returns what it printed. */
    public String cli(String user, String password, String... command) {
        var args = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "--user", user, "--pass", password));
        args.addAll(List.of(command));
        try {
            var result = container.execInContainer(args.toArray(String[]::new));
            return result.getStdout() + result.getStderr();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL, as a crash would: nothing gets a chance to flush. */
    public void kill() {
        DockerClientFactory.instance().client().killContainerCmd(container.getContainerId()).exec();
    }

    /** Stops Redis cleanly (it is refused while stopped). */
    public void stop() {
        DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(5).exec();
    }

    /** Starts the same container again, with its data directory as it was, and waits until it answers. */
    public void start() {
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        await("Redis answering within 30 s of its restart").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> cli("admin", ADMIN_PASSWORD, "ping").contains("PONG"));
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        throw new IllegalArgumentException("no value");
    }
}
