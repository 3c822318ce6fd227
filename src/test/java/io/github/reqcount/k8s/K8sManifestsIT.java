package io.github.reqcount.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.github.reqcount.support.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kustomize base in deploy/k8s/: it renders with kubectl, every object it renders fits the Kubernetes API
 * schema, and the objects say what deploy/k8s/README.md promises. Not run on a live cluster: none runs here.
 */
class K8sManifestsIT {

    static final String INSTALL_KUBECTL = "apt-get install -y kubernetes-client";

    static String rendered;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        rendered = kustomize(Path.of("deploy/k8s"));
    }

    /** `kubectl kustomize DIR`; a missing kubectl fails the test and says how to install it. */
    static String kustomize(Path dir) throws IOException, InterruptedException {
        Command.Result run;
        try {
            run = Command.runKeepingErrorsApart(new ProcessBuilder("kubectl", "kustomize", dir.toString()), Duration.ofSeconds(60));
        } catch (IOException e) {
            return fail("kubectl is not installed, and it renders deploy/k8s/: install Debian's with `" + INSTALL_KUBECTL
                    + "` (" + e.getMessage() + ")");
        }
        assertThat(run.exit()).as("kubectl kustomize %s failed:%n%s", dir, run.errors()).isZero();
        return run.output();
    }

    @Test
    void everyRenderedObjectFitsTheKubernetesSchema() {
        List<HasMetadata> objects = KubernetesSchema.read(rendered);
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).contains(
                "Deployment/counter", "PodDisruptionBudget/counter", "Service/counter", "StatefulSet/redis",
                "Service/redis", "NetworkPolicy/redis").anyMatch(name -> name.startsWith("ConfigMap/redis-config-"));
        assertThat(KubernetesSchema.problems(rendered)).isEmpty();
    }

    @Test
    void aMisspelledFieldFailsTheSchemaCheck() {
        String typo = rendered.replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:");
        assertThat(typo).isNotEqualTo(rendered);
        assertThat(KubernetesSchema.problems(typo)).contains(
                "Deployment/counter: unknown field spec.template.spec.containers[0].securityContext"
                        + ".readOnlyRootFileSystem");
    }

    @Test
    void aMisspelledKindOrTopLevelFieldFailsTheSchemaCheck() {
        assertThat(KubernetesSchema.problems("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata: {name: x}
                """)).containsExactly("Deploymnet/x: no such kind in apps/v1");
        assertThat(KubernetesSchema.problems("""
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec: {ports: [{port: 80}]}
                status: {}
                replicas: 3
                """)).containsExactly("Service/x: unknown field replicas");
    }

    @Test
    void theRedisConfigMapHoldsTheRepositorysRedisFiles() throws IOException {
        ConfigMap config = KubernetesSchema.read(rendered).stream().filter(ConfigMap.class::isInstance)
                .map(ConfigMap.class::cast).filter(c -> c.getMetadata().getName().startsWith("redis-config-"))
                .reduce((a, b) -> fail("two redis-config ConfigMaps")).orElseThrow();
        for (String file : List.of("users.acl", "start.sh")) {
            assertThat(config.getData().get(file)).as("%s in the ConfigMap", file)
                    .isEqualTo(Files.readString(Path.of("deploy/redis", file)));
        }
    }

    @Test
    void theCounterRunsThreeNamedLeastPrivilegeReplicasProbedOnTheManagementPort() {
        Deployment counter = only(Deployment.class, "counter");
        assertThat(counter.getSpec().getReplicas()).isEqualTo(3);
        var pod = counter.getSpec().getTemplate().getSpec();
        assertThat(pod.getTopologySpreadConstraints()).singleElement()
                .satisfies(c -> assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        Container container = pod.getContainers().get(0);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("INSTANCE_NAME")).singleElement()
                .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name"));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getPorts()).anyMatch(p -> p.getName().equals("management") && p.getContainerPort() == 8081);
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
        assertThat(only(PodDisruptionBudget.class, "counter").getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void onlyThePublicPortIsInTheServiceAndOnlyTheCounterReachesRedis() {
        assertThat(only(Service.class, "counter").getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getPort()).isEqualTo(8083));
        Service redis = only(Service.class, "redis");
        assertThat(redis.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(redis.getSpec().getType()).isNull();
        StatefulSet store = only(StatefulSet.class, "redis");
        assertThat(store.getSpec().getReplicas()).isEqualTo(1);
        assertThat(store.getSpec().getVolumeClaimTemplates()).singleElement();
        assertThat(store.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .containsSequence("--appendonly", "yes");
        NetworkPolicy policy = only(NetworkPolicy.class, "redis");
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "redis");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector()).isNull();
                assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "counter");
            });
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(6379));
        });
    }

    static <T extends HasMetadata> T only(Class<T> kind, String name) {
        return KubernetesSchema.read(rendered).stream().filter(kind::isInstance).map(kind::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).reduce((a, b) -> fail("two " + name)).orElseThrow();
    }
}
