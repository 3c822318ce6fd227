package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.config.ServiceProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * One source of truth for the settings: the service binds them (ServiceProperties), .env.example documents them,
 * and every deployment passes only names the service binds. A misspelt name in a deployment would otherwise be
 * ignored without a word, and the service would run on the default.
 */
class DeploymentSettingsTest {

    /** Names the service reads that are not in ServiceProperties: none yet (e.g. SPRING_PROFILES_ACTIVE would go here). */
    private static final Set<String> READ_BY_SPRING = Set.of();

    /** What the service binds: each component of ServiceProperties, as its environment variable (relaxed binding). */
    static Set<String> bound() {
        return Stream.concat(Arrays.stream(ServiceProperties.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase()), READ_BY_SPRING.stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The names in the `environment:` of the counter service of a Compose or Swarm stack file. */
    static Set<String> composeCounterEnvironment(String composeYaml) {
        Map<?, ?> services = (Map<?, ?>) ((Map<?, ?>) new Yaml().load(composeYaml)).get("services");
        Object environment = ((Map<?, ?>) services.get("counter")).get("environment");
        if (environment instanceof List<?> list) { // the list form: - NAME=value
            return list.stream().map(e -> e.toString().split("=", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        }
        return environment == null ? Set.of() : ((Map<?, ?>) environment).keySet().stream().map(Object::toString)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The names in the env of the containers of the counter Deployment, in any of the given Kubernetes manifests. */
    static Set<String> kubernetesCounterEnvironment(String yamlDocuments) {
        Set<String> names = new TreeSet<>();
        for (Object document : new Yaml().loadAll(yamlDocuments)) {
            if (document instanceof Map<?, ?> object && "Deployment".equals(object.get("kind"))
                    && "counter".equals(((Map<?, ?>) object.get("metadata")).get("name"))) {
                Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) object.get("spec")).get("template")).get("spec");
                for (Object container : (List<?>) pod.get("containers")) {
                    Object env = ((Map<?, ?>) container).get("env");
                    for (Object variable : env == null ? List.of() : (List<?>) env) {
                        names.add(((Map<?, ?>) variable).get("name").toString());
                    }
                }
            }
        }
        return names;
    }

    /** The names that .env.example sets in its section for the service ("# ---- The service ..."). */
    static Set<String> envExampleServiceSection(String envExample) {
        Set<String> names = new TreeSet<>();
        boolean inSection = false;
        for (String line : envExample.split("\n")) {
            if (line.startsWith("# ----")) {
                inSection = line.startsWith("# ---- The service");
            } else if (inSection && line.matches("[A-Z][A-Z0-9_]*=.*")) {
                names.add(line.substring(0, line.indexOf('=')));
            }
        }
        return names;
    }

    /** The names passed that the service doesn't bind: a deployment setting them changes nothing. */
    static Set<String> unbound(Set<String> passed) {
        return passed.stream().filter(name -> !bound().contains(name)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The settings the service binds that a documentation leaves out. */
    static Set<String> undocumented(Set<String> documented) {
        return bound().stream().filter(name -> !documented.contains(name)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theServiceBindsItsSettingsUnderTheOriginalNames() {
        assertThat(bound()).contains("SERVICE_PORT", "CONTAINER_DB_HOST", "CONTAINER_DB_PORT", "BATCH_MAX_IN_FLIGHT");
    }

    @Test
    void everyStackPassesOnlyNamesTheServiceBinds() {
        for (String file : List.of("docker-stack.yml", "docker-compose.yml", "docker-stack.no-ipvs.yml")) {
            Set<String> passed = composeCounterEnvironment(read(file));
            assertThat(unbound(passed)).as("names in %s that the service doesn't bind", file).isEmpty();
            // The no-IPVS override adds nothing to the counter's environment (if it ever does, it is checked too).
            assertThat(passed.isEmpty()).as("%s passes the counter no environment", file)
                    .isEqualTo(file.equals("docker-stack.no-ipvs.yml"));
        }
    }

    @Test
    void kubernetesPassesOnlyNamesTheServiceBinds() throws IOException {
        String manifests;
        try (Stream<Path> files = Files.list(Path.of("k8s"))) {
            manifests = files.filter(f -> f.toString().endsWith(".yaml")).sorted().map(f -> read(f.toString()))
                    .collect(Collectors.joining("\n---\n"));
        }
        Set<String> passed = kubernetesCounterEnvironment(manifests);
        assertThat(passed).as("the counter Deployment's env in k8s/").contains("INSTANCE_NAME", "CONTAINER_DB_HOST");
        assertThat(unbound(passed)).as("names in k8s/ that the service doesn't bind").isEmpty();
    }

    @Test
    void envExampleDocumentsExactlyWhatTheServiceBinds() {
        Set<String> documented = envExampleServiceSection(read(".env.example"));
        assertThat(undocumented(documented)).as("settings of the service missing from .env.example").isEmpty();
        assertThat(unbound(documented)).as("names in .env.example's service section that the service doesn't bind").isEmpty();
    }

    @Test
    void aMisspeltNameIsCaught() {
        assertThat(unbound(composeCounterEnvironment("""
                services:
                  counter:
                    environment:
                      SERVICE_PORT: 8083
                      BATCH_MAXSIZE: 64
                  redis:
                    environment:
                      REDIS_AUTH: "true"
                """))).containsExactly("BATCH_MAXSIZE");
        assertThat(unbound(composeCounterEnvironment("services: {counter: {environment: [SERVICE_PORT=1, HEARTBEAT_TTL2=2s]}}")))
                .containsExactly("HEARTBEAT_TTL2");
        assertThat(unbound(kubernetesCounterEnvironment("""
                kind: Deployment
                metadata: {name: counter}
                spec: {template: {spec: {containers: [{name: counter, env: [{name: INSTANCE_NAM, value: x}]}]}}}
                """))).containsExactly("INSTANCE_NAM");
    }

    @Test
    void anUndocumentedSettingIsCaught() {
        Set<String> documented = envExampleServiceSection("""
                # ---- The service: read by every replica ----
                SERVICE_PORT=8083
                # ---- The Swarm stack (start_service.sh) ----
                STACK_NAME=reqcount
                HEARTBEAT_TTL=10s
                """);
        assertThat(documented).containsExactly("SERVICE_PORT");
        assertThat(undocumented(documented)).contains("HEARTBEAT_TTL", "CONTAINER_DB_HOST").doesNotContain("SERVICE_PORT");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
