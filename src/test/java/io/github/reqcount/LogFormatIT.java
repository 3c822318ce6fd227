package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.util.TestSocketUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * LOG_FORMAT=ecs as a log pipeline sees it: the service in a JVM of its own (logging is one per JVM), and every
 * line it writes from start, through a Redis outage, to shutdown read as JSON. The outage lines carry their event
 * and the replica's name.
 */
class LogFormatIT {

    private static final RedisServer redis = RedisServer.shared();
    private static final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void freshCluster() {
        redis.flushAll();
    }

    @Test
    void withEcsEveryLineFromStartThroughAnOutageToShutdownIsOneJsonObject() throws Exception {
        var service = new ChildService("log-replica", "ecs");
        try {
            String url = service.url();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> Replies.get(url).statusCode() == 200);

            redis.stop();
            try {
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> Replies.get(url).statusCode() == 503);
            } finally {
                redis.start();
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> Replies.get(url).statusCode() == 200);
        } finally {
            service.stop();
        }

        List<String> lines = service.lines();
        assertThat(lines.size()).as("lines written while shutting down").isGreaterThan(service.linesBeforeStop());
        assertThat(lines).as("the service logged its start and shutdown").hasSizeGreaterThan(5);
        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines) {
            JsonNode object = json.readTree(line);
            assertThat(object.isObject()).as("one JSON object: " + line).isTrue();
            assertThat(object.path("replica").asString()).as("names the replica: " + line).isEqualTo("log-replica");
            assertThat(object.path("service").path("node").path("name").asString()).isEqualTo("log-replica");
            objects.add(object);
        }
        assertThat(objects).extracting(o -> o.path("message").asString())
                .anySatisfy(m -> assertThat(m).startsWith("Started ReqcountApplication"));

        JsonNode start = event(objects, "redis.outage.start");
        assertThat(start.path("log").path("level").asString()).isEqualTo("WARN");
        assertThat(start.path("error").asString()).isNotBlank();
        JsonNode end = event(objects, "redis.outage.end");
        assertThat(end.path("total").isNumber()).as("the total as a number: " + end).isTrue();
        assertThat(end.path("total").asLong()).isPositive();
    }

    @Test
    void withLogstashEveryLineIsOneJsonObjectNamingTheReplica() throws Exception {
        var service = new ChildService("logstash-replica", "logstash");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> Replies.get(service.url()).statusCode() == 200);
        } finally {
            service.stop();
        }
        List<String> lines = service.lines();
        assertThat(lines).hasSizeGreaterThan(5);
        for (String line : lines) {
            JsonNode object = json.readTree(line);
            assertThat(object.path("replica").asString()).as(line).isEqualTo("logstash-replica");
            assertThat(object.path("@version").asString()).as(line).isEqualTo("1");
        }
    }

    @Test
    void anUnknownLogFormatFailsTheStartNamingTheVariable() throws Exception {
        var service = new ChildService("log-replica", "json");
        assertThat(service.exitCode()).isNotZero();
        assertThat(String.join("\n", service.lines())).contains("LOG_FORMAT must be text, ecs or logstash");
    }

    private static JsonNode event(List<JsonNode> lines, String event) {
        // ECS's own field for what happened: event.action, nested as ECS lines nest every dotted name.
        return lines.stream().filter(o -> event.equals(o.path("event").path("action").asString())).findFirst()
                .orElseThrow(() -> new AssertionError("no line with event " + event + " in " + lines));
    }

    /**
     * The service as its own process, on free ports. Its stdout and stderr go to one file, read once it has exited:
     * a pipe read while the process exits can lose what it wrote last.
     */
    static final class ChildService {

        private final Process process;
        private final Path output;
        private final int port = TestSocketUtils.findAvailableTcpPort();
        private int linesBeforeStop;

        ChildService(String name, String logFormat) throws IOException {
            var command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ReqcountApplication.class.getName(),
                    "--server.port=" + port, "--management.server.port=" + TestSocketUtils.findAvailableTcpPort(),
                    "--container-db-host=" + redis.host(), "--container-db-port=" + redis.port(),
                    "--redis-username=" + RedisServer.USER, "--redis-password=" + RedisServer.PASSWORD,
                    // The service itself says nothing when it stops; Spring's lifecycle does, at debug.
                    "--logging.level.org.springframework.context.support.DefaultLifecycleProcessor=debug");
            output = Files.createTempFile("reqcount-" + logFormat, ".log");
            var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("LOG_FORMAT", logFormat);
            builder.environment().put("INSTANCE_NAME", name);
            process = builder.start();
        }

        String url() {
            return "http://localhost:" + port + "/";
        }

        /** SIGTERM, as Docker and Kubernetes stop a replica, and waits for it to finish shutting down. */
        void stop() throws IOException, InterruptedException {
            linesBeforeStop = lines().size();
            process.destroy();
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        /** Waits for a service that is expected to fail at start. */
        int exitCode() throws IOException, InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the service did not exit: " + lines());
            }
            return process.exitValue();
        }

        int linesBeforeStop() {
            return linesBeforeStop;
        }

        List<String> lines() throws IOException {
            return Files.readAllLines(output, StandardCharsets.UTF_8);
        }
    }
}
