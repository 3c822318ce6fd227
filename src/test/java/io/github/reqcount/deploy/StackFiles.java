package io.github.reqcount.deploy;

import io.github.reqcount.support.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The stack as docker stack deploy gets it: docker-stack.yml, one edge overlay, then ha.yml and monitoring.yml,
 * in the order deploy/scripts/deploy-stack.sh passes them, merged and interpolated by {@code docker stack config}.
 */
final class StackFiles {

    enum Edge { MESH, NO_IPVS }

    record Choice(Edge edge, boolean auth, boolean ha, boolean monitoring) {

        List<String> files() {
            List<String> files = new ArrayList<>(List.of("docker-stack.yml",
                    "deploy/stack/" + (edge == Edge.MESH ? "mesh" : "no-ipvs") + ".yml"));
            if (ha) {
                files.add("deploy/stack/ha.yml");
            }
            if (monitoring) {
                files.add("deploy/stack/monitoring.yml");
            }
            return files;
        }

        @Override
        public String toString() {
            return String.join(" ", files()) + (auth ? "" : " with REDIS_AUTH=false");
        }
    }

    static final String PORT = "18299";

    private StackFiles() {
    }

    /** The rendered stack's services, by name. Fails, never skips, where there is no docker client to render it. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(Choice choice) throws IOException, InterruptedException {
        Map<String, Object> stack = new Yaml().load(render(choice));
        return (Map<String, Map<String, Object>>) stack.get("services");
    }

    static String render(Choice choice) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(docker(), "stack", "config"));
        choice.files().forEach(file -> command.addAll(List.of("-c", file)));
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(Map.of("SERVICE_PORT", PORT, "REDIS_AUTH", Boolean.toString(choice.auth()),
                "STACK_NAME", "reqcount-test", "MONITORING_REDIS_TARGETS", choice.ha() ? "redis,redis-2,redis-3" : "redis"));
        Command.Result run = Command.run(builder, Duration.ofSeconds(60));
        if (run.exit() != 0) {
            throw new AssertionError("docker stack config " + choice + " failed:\n" + run.output());
        }
        return run.output();
    }

    /**
     * A docker client with {@code docker stack config} (Docker 23 and newer; the engine's own 20.10 client lacks it).
     * Its merge replaces a later file's lists where 20.10's deploy appends them: StackFilesIT checks that no overlay
     * relies on either.
     */
    static String docker() throws IOException, InterruptedException {
        for (String candidate : List.of("docker", "/usr/local/bin/docker", "/usr/bin/docker")) {
            try {
                String help = Command.run(new ProcessBuilder(candidate, "stack", "config", "--help"), Duration.ofSeconds(30)).output();
                if (help.contains("final config file")) {
                    return candidate;
                }
            } catch (IOException notThere) {
                // the next candidate
            }
        }
        throw new AssertionError("no docker client with `docker stack config` (Docker CLI 23 or newer) on PATH,"
                + " /usr/local/bin or /usr/bin: install Docker's CLI (https://docs.docker.com/engine/install/) to render"
                + " the stack files");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> servicesIn(String file) throws IOException {
        Map<String, Object> stack = new Yaml().load(Files.readString(Path.of(file)));
        return (Map<String, Map<String, Object>>) stack.get("services");
    }
}
