package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service jar as built: in a node's namespace and pointed at the three Sentinels (the nemesis), or on loopback
 * and pointed at one Redis (SlowDiskE2E).
 */
final class ServiceProcess {

    static final int PORT = 8080;
    static final int MANAGEMENT_PORT = 8081;

    final String name;
    final int node;
    private final Process process;
    private final String host;
    private final int port;
    private final int managementPort;

    private ServiceProcess(String name, int node, Process process, String host, int port, int managementPort) {
        this.name = name;
        this.node = node;
        this.process = process;
        this.host = host;
        this.port = port;
        this.managementPort = managementPort;
    }

    static ServiceProcess start(String name, int node, Path jar, Secrets secrets, Path log) {
        return start(name, node, jar, secrets, log, Cluster.all(RedisNode.SENTINEL_PORT), List.of());
    }

    /** With the Sentinels given as host:port,... and more arguments for the service. */
    static ServiceProcess start(String name, int node, Path jar, Secrets secrets, Path log, String sentinels,
            List<String> more) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", Network.namespace(node)));
        command.addAll(java(jar, name, PORT, MANAGEMENT_PORT));
        command.addAll(List.of("--redis-sentinel-master=reqcount",
                "--redis-sentinel-nodes=" + sentinels,
                "--redis-username=reqcount"));
        command.addAll(more);
        // The password through the environment, as REDIS_PASSWORD, so it shows in no process list.
        Process process = launch(command, Map.of("REDIS_PASSWORD", secrets.service()), log);
        return new ServiceProcess(name, node, process, Network.ip(node), PORT, MANAGEMENT_PORT);
    }

    /** On loopback, at port and managementPort, with the service's own settings in settings (--name=value). */
    static ServiceProcess startLocal(String name, Path jar, int port, int managementPort, List<String> settings,
            Path log) {
        List<String> command = new ArrayList<>(java(jar, name, port, managementPort));
        command.add("--service-host=127.0.0.1");
        command.addAll(settings);
        return new ServiceProcess(name, 0, launch(command, Map.of(), log), "127.0.0.1", port, managementPort);
    }

    private static List<String> java(Path jar, String name, int port, int managementPort) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--server.port=" + port,
                "--management.server.port=" + managementPort,
                "--instance-name=" + name);
    }

    private static Process launch(List<String> command, Map<String, String> env, Path log) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri() {
        return URI.create("http://" + host + ":" + port + "/");
    }

    /** Waits until the readiness probe (Redis included) answers 200; fails if the process ends or time runs out. */
    void awaitReady(Duration bound) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        URI readiness = URI.create("http://" + host + ":" + managementPort + "/actuator/health/readiness");
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
