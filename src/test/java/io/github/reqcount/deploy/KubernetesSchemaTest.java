package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The checker that KubernetesManifestsIT runs over k8s/: it must catch what the API server would reject. */
class KubernetesSchemaTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: counter
            spec:
              replicas: 3
              selector:
                matchLabels: {app: counter}
              template:
                metadata:
                  labels: {app: counter}
                spec:
                  containers:
                    - name: counter
                      image: reqcount/replicas-reqcount:latest
                      readinessProbe:
                        httpGet: {path: /actuator/health/readiness, port: management}
                      resources:
                        limits: {memory: 256Mi}
            """;

    @Test
    void aWellFormedManifestPasses() {
        assertThat(KubernetesSchema.problems(DEPLOYMENT + "---\n" + """
                apiVersion: v1
                kind: Service
                metadata: {name: counter}
                spec:
                  selector: {app: counter}
                  ports: [{name: http, port: 8083, targetPort: http}]
                """)).isEmpty();
    }

    @Test
    void aMistypedFieldFails() {
        assertThat(KubernetesSchema.problems(DEPLOYMENT.replace("replicas: 3", "replcias: 3")))
                .containsExactly("Deployment/counter: spec: unknown field(s) [replcias]");
    }

    @Test
    void aMistypedFieldDeepInsideFails() {
        assertThat(KubernetesSchema.problems(DEPLOYMENT.replace("{path: /actuator", "{paht: /actuator")))
                .containsExactly("Deployment/counter: spec.template.spec.containers[0].readinessProbe.httpGet: unknown field(s) [paht]");
    }

    @Test
    void aValueOfTheWrongTypeFails() {
        assertThat(KubernetesSchema.problems(DEPLOYMENT.replace("replicas: 3", "replicas: three")))
                .singleElement().asString().startsWith("Deployment/counter: spec.replicas: Cannot coerce String value (\"three\")");
        assertThat(KubernetesSchema.problems(DEPLOYMENT.replace("replicas: 3", "replicas: \"3\"")))
                .singleElement().asString().startsWith("Deployment/counter: spec.replicas: Cannot coerce String value (\"3\")");
    }

    @Test
    void anUnknownKindFails() {
        assertThat(KubernetesSchema.problems(DEPLOYMENT.replace("kind: Deployment", "kind: Deplyoment")))
                .containsExactly("Deplyoment/counter: apiVersion and kind name no type of the Kubernetes API");
    }
}
