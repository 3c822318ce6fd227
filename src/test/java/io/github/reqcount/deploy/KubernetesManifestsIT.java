package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/ as kubectl renders it (`kubectl kustomize k8s/`, the objects `kubectl apply -k k8s/` sends): every object
 * conforms to the Kubernetes API's types, and the objects fit together. No cluster runs here.
 */
class KubernetesManifestsIT {

    private static List<KubernetesResource> objects;

    @BeforeAll
    static void render() throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", "k8s/").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is not installed: apt-get install kubernetes-client (testing_infrastructure.sh does)", e);
        }
        String rendered = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize ended").isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize k8s/ exit code (its error is above)").isZero();
        assertThat(KubernetesSchema.problems(rendered)).as("objects that the Kubernetes API would reject").isEmpty();
        objects = KubernetesSchema.objects(rendered);
    }

    @Test
    void rendersTheObjectsOfTheBase() {
        assertThat(objects).map(o -> ((HasMetadata) o).getKind() + "/" + ((HasMetadata) o).getMetadata().getName()
                .replaceAll("-[a-z0-9]{10}$", "-<hash>")).containsExactlyInAnyOrder("ConfigMap/redis-files-<hash>",
                "Deployment/counter", "PodDisruptionBudget/counter", "Service/counter", "StatefulSet/redis",
                "Service/redis", "NetworkPolicy/redis");
    }

    @Test
    void theCounterProbesItsHealthGroupsOnTheManagementPort() {
        Container counter = counter();
        assertThat(counter.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(counter.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(counter.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        int management = counter.getPorts().stream().filter(p -> p.getName().equals("management")).findFirst()
                .orElseThrow().getContainerPort();
        assertThat(env(counter, "MANAGEMENT_PORT").getValue()).isEqualTo(Integer.toString(management));
        assertThat(List.of(counter.getLivenessProbe(), counter.getReadinessProbe(), counter.getStartupProbe()))
                .allSatisfy(probe -> assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("management")));
    }

    @Test
    void eachReplicaIsNamedByItsPod() {
        assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
        assertThat(env(counter(), "INSTANCE_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    }

    @Test
    void theCounterRunsAsNonRootOnAReadOnlyRootWithAMemoryTmp() {
        Container counter = counter();
        assertThat(deployment().getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(counter.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(counter.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(counter.getResources().getLimits()).containsEntry("memory", new Quantity("256Mi"));
        assertThat(counter.getResources().getRequests()).containsEntry("memory", new Quantity("192Mi"));
        String tmp = counter.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
                .orElseThrow().getName();
        assertThat(volume(deployment().getSpec().getTemplate().getSpec().getVolumes(), tmp).getEmptyDir().getMedium())
                .isEqualTo("Memory");
    }

    @Test
    void theCounterReachesRedisThroughItsHeadlessServiceWithOnlyItsOwnPassword() {
        Service redis = service("redis");
        assertThat(redis.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(redis.getSpec().getType()).isNull(); // ClusterIP: nothing outside the cluster reaches it
        assertThat(env(counter(), "CONTAINER_DB_HOST").getValue()).isEqualTo(redis.getMetadata().getName());
        assertThat(statefulSet().getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(redis.getSpec().getSelector());
        var secret = volume(deployment().getSpec().getTemplate().getSpec().getVolumes(), "redis-password").getSecret();
        assertThat(secret.getItems()).singleElement().satisfies(item -> assertThat(item.getKey()).isEqualTo("redis-password"));
        var redisSecret = statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret();
        assertThat(redisSecret.getSecretName()).isEqualTo(secret.getSecretName());
    }

    @Test
    void redisKeepsItsAppendOnlyFileOnAClaimAndLoadsTheRepositorysAcl() {
        StatefulSet redis = statefulSet();
        assertThat(redis.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(claim -> assertThat(claim.getMetadata().getName()).isEqualTo("data"));
        Container container = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(String.join(" ", container.getArgs())).contains("--appendonly yes").contains("--dir /data");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("data");
            assertThat(m.getMountPath()).isEqualTo("/data");
        });
        String files = volume(redis.getSpec().getTemplate().getSpec().getVolumes(), "files").getConfigMap().getName();
        ConfigMap configMap = only(ConfigMap.class, files);
        assertThat(configMap.getData()).containsKeys("users.acl", "start.sh");
        assertThat(container.getCommand()).containsExactly("sh", "/usr/local/etc/redis/start.sh");
    }

    @Test
    void onlyTheCounterReachesRedis() {
        NetworkPolicy policy = only(NetworkPolicy.class, "redis");
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(statefulSet().getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector()).isNull(); // this namespace only
                assertThat(peer.getPodSelector().getMatchLabels())
                        .isEqualTo(deployment().getSpec().getSelector().getMatchLabels());
            });
            assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(new IntOrString(6379)));
        });
    }

    @Test
    void theCounterSpreadsOverNodesAndLosesAtMostOneReplicaToADrain() {
        var spec = deployment().getSpec().getTemplate().getSpec();
        assertThat(spec.getTopologySpreadConstraints()).anySatisfy(c -> assertThat(c.getTopologyKey())
                .isEqualTo("kubernetes.io/hostname"));
        PodDisruptionBudget budget = only(PodDisruptionBudget.class, "counter");
        assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment().getSpec().getSelector().getMatchLabels());
        assertThat(service("counter").getSpec().getSelector()).isEqualTo(deployment().getSpec().getSelector().getMatchLabels());
    }

    private static Deployment deployment() {
        return only(Deployment.class, "counter");
    }

    private static StatefulSet statefulSet() {
        return only(StatefulSet.class, "redis");
    }

    private static Container counter() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Service service(String name) {
        return only(Service.class, name);
    }

    private static <T extends HasMetadata> T only(Class<T> kind, String name) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElseGet(() -> fail("no %s named %s in the rendered k8s/", kind.getSimpleName(), name));
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseGet(() -> fail("the container %s sets no %s", container.getName(), name));
    }

    private static Volume volume(List<Volume> volumes, String name) {
        return volumes.stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseGet(() -> fail("no volume %s", name));
    }
}
