package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The service jar as built, run in a node's namespace and pointed at the three Sentinels. */
final class ServiceProcess {

    static final int PORT = 8080;
    static final int MANAGEMENT_PORT = 8081;

    final String name;
    final int node;
    private final Process process;

    private ServiceProcess(String name, int node, Process process) {
        this.name = name;
        this.node = node;
        this.process = process;
    }

    static ServiceProcess start(String name, int node, Path jar, Secrets secrets, Path log) {
        return start(name, node, jar, secrets, log, Cluster.all(RedisNode.SENTINEL_PORT), List.of());
    }

    /** With the Sentinels given as host:port,... and more arguments for the service. */
    static ServiceProcess start(String name, int node, Path jar, Secrets secrets, Path log, String sentinels,
            List<String> more) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of("ip", "netns", "exec", Network.namespace(node), java,
                "-Xmx192m", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--redis-sentinel-master=reqcount",
                "--redis-sentinel-nodes=" + sentinels,
                "--redis-username=reqcount",
                "--server.port=" + PORT,
                "--management.server.port=" + MANAGEMENT_PORT,
                "--instance-name=" + name));
        command.addAll(more);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // The password through the environment, as REDIS_PASSWORD, so it shows in no process list.
            builder.environment().put("REDIS_PASSWORD", secrets.service());
            return new ServiceProcess(name, node, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri() {
        return URI.create("http://" + Network.ip(node) + ":" + PORT + "/");
    }

    /** Waits until the readiness probe (Redis included) answers 200; fails if the process ends or time runs out. */
    void awaitReady(Duration bound) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI readiness = URI.create("http://" + Network.ip(node) + ":" + MANAGEMENT_PORT + "/actuator/health/readiness");
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready");
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build();
                if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            Cluster.sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException(name + " was not ready within " + bound);
    }

    void stop() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
