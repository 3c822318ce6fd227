package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.deploy.StackFiles.Choice;
import io.github.reqcount.deploy.StackFiles.Edge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stack deploy-stack.sh can choose (edge mesh or no-ipvs, Redis auth on or off, one Redis or three under
 * Sentinel, monitoring or not), rendered by docker stack config, holds what each mode promises.
 */
class StackFilesIT {

    static final Set<String> REDIS = Set.of("redis", "redis-2", "redis-3");
    static final Set<String> SENTINELS = Set.of("sentinel-1", "sentinel-2", "sentinel-3");

    static Stream<Choice> everyChoice() {
        List<Choice> choices = new ArrayList<>();
        for (Edge edge : Edge.values()) {
            for (boolean auth : new boolean[] {true, false}) {
                for (boolean ha : new boolean[] {false, true}) {
                    for (boolean monitoring : new boolean[] {false, true}) {
                        choices.add(new Choice(edge, auth, ha, monitoring));
                    }
                }
            }
        }
        return choices.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyChoice")
    void eachModeRendersWhatItPromises(Choice choice) throws Exception {
        var services = StackFiles.services(choice);
        var counter = services.get("counter");

        if (choice.edge() == Edge.MESH) {
            assertThat(services).as("no edge: the routing mesh publishes").doesNotContainKey("edge");
            assertThat(list(counter, "ports")).singleElement().satisfies(port -> {
                assertThat(map(port)).containsEntry("published", Integer.parseInt(StackFiles.PORT))
                        .containsEntry("mode", "ingress");
            });
            assertThat(value(counter, "deploy", "endpoint_mode")).as("a VIP").isNull();
        } else {
            var edge = services.get("edge");
            assertThat(edge).as("an HAProxy edge").isNotNull();
            assertThat(value(edge, "deploy", "mode")).as("on every node").isEqualTo("global");
            assertThat(list(edge, "ports")).singleElement()
                    .satisfies(port -> assertThat(map(port)).containsEntry("mode", "host"));
            assertThat(counter).as("nothing through the mesh").doesNotContainKey("ports");
            assertThat(value(counter, "deploy", "endpoint_mode")).isEqualTo("dnsrr");
            assertThat(value(services.get("redis"), "deploy", "endpoint_mode")).isEqualTo("dnsrr");
        }

        var redisAndSentinels = services.keySet().stream().filter(n -> n.startsWith("redis") && !n.equals("redis-exporter")
                || n.startsWith("sentinel-")).toList();
        if (choice.ha()) {
            assertThat(redisAndSentinels).containsExactlyInAnyOrderElementsOf(
                    Stream.concat(REDIS.stream(), SENTINELS.stream()).toList());
            for (int i = 1; i <= 3; i++) {
                String redis = i == 1 ? "redis" : "redis-" + i;
                assertThat(constraints(services.get("sentinel-" + i))).as("sentinel-%d beside %s", i, redis)
                        .isEqualTo(constraints(services.get(redis))).hasSize(1);
            }
            assertThat(REDIS.stream().map(r -> constraints(services.get(r))).distinct()).as("one pair per node").hasSize(3);
            assertThat(env(services.get("redis"))).containsEntry("REDIS_START", "/ha/redis-start.sh");
            assertThat(env(counter)).containsKey("REDIS_SENTINEL_NODES");
        } else {
            assertThat(redisAndSentinels).containsExactly("redis");
            assertThat(env(services.get("redis"))).containsEntry("REDIS_START", "/usr/local/etc/redis/start.sh");
            assertThat(env(counter)).doesNotContainKey("REDIS_SENTINEL_NODES");
        }
        for (String name : redisAndSentinels) {
            assertThat(env(services.get(name))).as(name).containsEntry("REDIS_AUTH", Boolean.toString(choice.auth()));
        }
        for (String redis : redisAndSentinels.stream().filter(REDIS::contains).toList()) {
            assertThat(secrets(services.get(redis))).as("%s can render every user of its ACL", redis)
                    .contains("redis-password", "redis-admin-password", "redis-monitoring-password");
            // Durable by default: the AOF is fsynced before a number is handed out (docs/deployment.md#persistence).
            if (choice.ha()) {
                assertThat(env(services.get(redis))).as(redis).containsEntry("REDIS_APPENDFSYNC", "always");
            } else {
                assertThat(list(services.get(redis), "command").stream().map(String::valueOf).toList()).as(redis)
                        .containsSequence("--appendfsync", "always");
            }
        }

        if (choice.monitoring()) {
            assertThat(services).containsKeys("prometheus", "redis-exporter");
            assertThat(secrets(services.get("redis-exporter"))).containsExactly("redis-monitoring-password");
            assertThat(env(services.get("prometheus"))).containsEntry("MONITORING_REDIS_TARGETS",
                    choice.ha() ? "redis,redis-2,redis-3" : "redis");
        } else {
            assertThat(services).doesNotContainKeys("prometheus", "redis-exporter");
        }

        assertThat(secrets(counter)).as("the secrets stay, auth on or off").containsExactly("redis-password");
        for (var service : services.entrySet()) {
            assertThat(service.getValue().get("image")).as("%s: every service is whole, not a fragment", service.getKey())
                    .isNotNull();
            assertThat(service.getValue().get("networks")).as(service.getKey()).isNotNull();
        }
    }

    /**
     * docker stack config replaces a later file's list (an entrypoint, a healthcheck test, placement constraints)
     * where the engine's own docker stack deploy 20.10 appends it, so an overlay may set no such list on a service of
     * docker-stack.yml: then both merge alike. Lists merged by name (secrets, configs, ports) are fine.
     */
    @Test
    void noOverlayOverridesAListOfTheBase() throws IOException {
        var base = StackFiles.servicesIn("docker-stack.yml");
        List<String> overridden = new ArrayList<>();
        for (String overlay : List.of("mesh", "no-ipvs", "ha", "monitoring")) {
            String file = "deploy/stack/" + overlay + ".yml";
            StackFiles.servicesIn(file).forEach((name, service) -> {
                if (base.containsKey(name)) {
                    lists(file + ": " + name, service, overridden);
                }
            });
        }
        assertThat(overridden).isEmpty();
    }

    /**
     * Every shipped Redis configuration fsyncs its AOF before it replies unless REDIS_APPENDFSYNC says otherwise:
     * with everysec a killed Redis on a slow disk loses acknowledged increments (SlowDiskE2E).
     */
    @Test
    void everyRedisConfigurationDefaultsToAppendfsyncAlways() throws IOException {
        Map<String, String> defaults = Map.of(
                "docker-stack.yml", "\\$\\{REDIS_APPENDFSYNC:-(\\w+)}",
                "docker-compose.yml", "\\$\\{REDIS_APPENDFSYNC:-(\\w+)}",
                "deploy/stack/ha.yml", "\\$\\{REDIS_APPENDFSYNC:-(\\w+)}",
                "deploy/redis-ha/redis-start.sh", "\\$\\{REDIS_APPENDFSYNC:-(\\w+)}",
                "deploy/k8s/redis-statefulset.yaml", "\"--appendfsync\", \"(\\w+)\"",
                ".env.example", "(?m)^REDIS_APPENDFSYNC=(\\w+)$");
        defaults.forEach((file, pattern) -> {
            try {
                var matcher = Pattern.compile(pattern).matcher(Files.readString(Path.of(file)));
                List<String> found = new ArrayList<>();
                while (matcher.find()) {
                    found.add(matcher.group(1));
                }
                assertThat(found).as(file).isNotEmpty().containsOnly("always");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void lists(String path, Map<String, Object> node, List<String> found) {
        node.forEach((key, value) -> {
            if (value instanceof Map<?, ?> child) {
                @SuppressWarnings("unchecked")
                var next = (Map<String, Object>) child;
                lists(path + "." + key, next, found);
            } else if (value instanceof List<?> && !Set.of("secrets", "configs", "ports").contains(key)) {
                found.add(path + "." + key);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static Object value(Map<String, Object> service, String... keys) {
        Object value = service;
        for (String key : keys) {
            value = value == null ? null : map(value).get(key);
        }
        return value;
    }

    private static List<?> list(Map<String, Object> service, String key) {
        return (List<?>) service.get(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.getOrDefault("environment", Map.of());
    }

    private static List<Object> constraints(Map<String, Object> service) {
        @SuppressWarnings("unchecked")
        var constraints = (List<Object>) value(service, "deploy", "placement", "constraints");
        return constraints;
    }

    private static List<Object> secrets(Map<String, Object> service) {
        List<?> secrets = (List<?>) service.getOrDefault("secrets", List.of());
        return secrets.stream().map(s -> map(s).get("source")).toList();
    }
}
