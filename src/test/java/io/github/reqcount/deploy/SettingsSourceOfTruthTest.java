package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.config.RedisVariables;
import io.github.reqcount.config.ReplicaName;
import io.github.reqcount.config.ServiceProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * One source of truth for the service's settings: ServiceProperties, the replica's name that ReplicaName reads,
 * and for Redis's the original variables that RedisVariables lists (mapped onto spring.data.redis.*). Every variable a deployment passes to
 * the counter (docker-stack.yml, deploy/stack/, docker-compose.yml, deploy/k8s/, the service section of .env.example) is one the
 * service binds, so a misspelt name can't be silently ignored; and every setting it binds is documented in
 * .env.example. Other services' variables (Redis's REDIS_AUTH, the edge's ports) and the deploy-only ones in
 * .env.example are not the service's and are not checked.
 */
class SettingsSourceOfTruthTest {

    /**
     * SERVICE_PORT for servicePort: how Spring binds an environment variable to a record component; INSTANCE_NAME
     * for instance-name, which ReplicaName reads; and the original Redis variables, which application.properties
     * and RedisVariables map onto spring.data.redis.*.
     */
    static Set<String> boundNames() {
        Set<String> names = Arrays.stream(ServiceProperties.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase())
                .collect(Collectors.toCollection(TreeSet::new));
        names.add(ReplicaName.SETTING.replace('-', '_').toUpperCase());
        names.addAll(RedisVariables.NAMES);
        return names;
    }

    /** Source -> the variable names it passes to the counter. */
    static Map<String, Set<String>> passedNames() throws IOException {
        Map<String, Set<String>> passed = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Path.of("."))) {
            for (Path file : files.map(Path::normalize).sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.matches("docker-stack.*\\.yml|docker-compose\\.yml")) {
                    passed.put(name, composeCounterEnv(Files.readString(file)));
                }
            }
        }
        try (Stream<Path> files = Files.list(Path.of("deploy/stack"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                passed.put(file.toString(), composeCounterEnv(Files.readString(file)));
            }
        }
        try (Stream<Path> files = Files.list(Path.of("deploy/k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                passed.put(file.toString(), k8sCounterEnv(Files.readString(file)));
            }
        }
        passed.put(".env.example", envExampleServiceSection(Files.readString(Path.of(".env.example"))));
        return passed;
    }

    /** The keys of services.counter.environment, as a map or as a list of NAME=value. */
    @SuppressWarnings("unchecked")
    static Set<String> composeCounterEnv(String yaml) {
        Map<String, Object> root = new Yaml().load(yaml);
        Map<String, Object> services = (Map<String, Object>) root.getOrDefault("services", Map.of());
        Map<String, Object> counter = (Map<String, Object>) services.getOrDefault("counter", Map.of());
        Object env = counter == null ? null : counter.get("environment");
        Set<String> names = new TreeSet<>();
        if (env instanceof Map<?, ?> map) {
            map.keySet().forEach(k -> names.add(k.toString()));
        } else if (env instanceof List<?> list) {
            list.forEach(item -> names.add(item.toString().split("=", 2)[0]));
        }
        return names;
    }

    /** The env names of the counter container in the Deployment named counter, in any document. */
    @SuppressWarnings("unchecked")
    static Set<String> k8sCounterEnv(String yaml) {
        Set<String> names = new TreeSet<>();
        for (Object document : new Yaml().loadAll(yaml)) {
            if (document instanceof Map<?, ?> object && "Deployment".equals(object.get("kind"))
                    && "counter".equals(((Map<String, Object>) object.get("metadata")).get("name"))) {
                Map<String, Object> spec = (Map<String, Object>) object.get("spec");
                Map<String, Object> template = (Map<String, Object>) spec.get("template");
                Map<String, Object> pod = (Map<String, Object>) template.get("spec");
                for (Map<String, Object> container : (List<Map<String, Object>>) pod.get("containers")) {
                    if ("counter".equals(container.get("name"))) {
                        for (Map<String, Object> env : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                            names.add(env.get("name").toString());
                        }
                    }
                }
            }
        }
        return names;
    }

    private static final Pattern ASSIGNMENT = Pattern.compile("(?m)^([A-Za-z_][A-Za-z0-9_]*)=");

    /** Every NAME= in the file. */
    static Set<String> envExampleNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = ASSIGNMENT.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The NAME= lines under "# ---- The service", up to the next "# ----" heading: what each replica reads. */
    static Set<String> envExampleServiceSection(String text) {
        String[] sections = text.split("(?m)^# ----");
        return Arrays.stream(sections).filter(s -> s.startsWith(" The service"))
                .flatMap(s -> envExampleNames(s).stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** "source: NAME" for each name passed that the service doesn't bind. */
    static List<String> unbound(Map<String, Set<String>> passed, Set<String> bound) {
        List<String> problems = new ArrayList<>();
        passed.forEach((source, names) -> names.stream().filter(n -> !bound.contains(n))
                .forEach(n -> problems.add(source + ": " + n)));
        return problems;
    }

    @Test
    void everyDeploymentPassesTheCounterOnlySettingsItBinds() throws IOException {
        Map<String, Set<String>> passed = passedNames();
        assertThat(passed).containsKeys("docker-stack.yml", "docker-compose.yml", "deploy/k8s/counter-deployment.yaml");
        assertThat(passed.get("docker-stack.yml")).contains("SERVICE_PORT", "REDIS_USERNAME");
        assertThat(passed.get("deploy/k8s/counter-deployment.yaml")).contains("INSTANCE_NAME");
        assertThat(passed.get(".env.example")).contains("SERVICE_HOST", "HEARTBEAT_TTL");
        assertThat(unbound(passed, boundNames())).as("variables passed to the counter that ServiceProperties "
                + "doesn't bind (misspelt, or a setting that no longer exists)").isEmpty();
    }

    @Test
    void applicationPropertiesMapsEveryOriginalRedisVariableButSentinelsOntoSpringDataRedis() throws IOException {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertThat(RedisVariables.NAMES).filteredOn(name -> !name.startsWith("REDIS_SENTINEL_")).allSatisfy(name ->
                assertThat(properties).containsPattern("(?m)^spring\\.data\\.redis\\.[a-z.-]+=\\$\\{"
                        + name.toLowerCase().replace('_', '-') + ":"));
    }

    @Test
    void envExampleDocumentsEverySettingTheServiceBinds() throws IOException {
        Set<String> documented = envExampleNames(Files.readString(Path.of(".env.example")));
        assertThat(boundNames()).contains("SERVICE_PORT", "MANAGEMENT_PORT", "CONTAINER_DB_HOST", "BATCH_MAX_IN_FLIGHT")
                .as("settings of ServiceProperties missing from .env.example").isSubsetOf(documented);
    }

    @Test
    void aMisspeltVariableInAnyDeploymentIsReported() {
        String stack = """
                services:
                  counter:
                    environment:
                      SERVICE_PORT: "8083"
                      BATCH_MAX_SIZ: "256"
                  redis:
                    environment:
                      REDIS_AUTH: "true"
                """;
        String k8s = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: counter}
                spec:
                  template:
                    spec:
                      containers:
                        - name: counter
                          env: [{name: INSTANCE_NAME}, {name: HEARTBEAT_TT}]
                """;
        String envExample = """
                # ---- The service: read by every replica ----
                SERVICE_PORT=8083
                REDIS_PASWORD=
                # ---- The Swarm stack ----
                STACK_NAME=reqcount
                """;
        Map<String, Set<String>> passed = new LinkedHashMap<>();
        passed.put("stack", composeCounterEnv(stack));
        passed.put("k8s", k8sCounterEnv(k8s));
        passed.put("env", envExampleServiceSection(envExample));
        assertThat(unbound(passed, boundNames()))
                .containsExactly("stack: BATCH_MAX_SIZ", "k8s: HEARTBEAT_TT", "env: REDIS_PASWORD");
    }
}
