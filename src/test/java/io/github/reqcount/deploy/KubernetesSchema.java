package io.github.reqcount.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks Kubernetes objects against the API's own types: fabric8's model, generated from the Kubernetes OpenAPI
 * schema. The model is lenient where the API server is not: a field it doesn't know lands in additionalProperties
 * instead of failing. So here any such field, at any depth, is a problem, as are a kind the model doesn't know and a
 * value of the wrong type (no scalar coercion: "3" is not a number).
 */
final class KubernetesSchema {

    private static final JsonMapper MAPPER = JsonMapper.builder().disable(MapperFeature.ALLOW_COERCION_OF_SCALARS).build();

    private KubernetesSchema() {
    }

    /** Every problem in a stream of YAML documents, each as "Kind/name: path: what"; empty when all conform. */
    static List<String> problems(String yamlDocuments) {
        List<String> problems = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yamlDocuments)) {
            if (document == null) {
                continue;
            }
            String where = describe(document);
            try {
                KubernetesResource object = MAPPER.convertValue(document, KubernetesResource.class);
                if (object instanceof GenericKubernetesResource) {
                    problems.add(where + ": apiVersion and kind name no type of the Kubernetes API");
                } else {
                    unknownFields(object, "", where, problems);
                }
            } catch (JacksonException e) {
                problems.add(where + ": " + path(e) + ": " + e.getOriginalMessage());
            }
        }
        return problems;
    }

    /** The documents as the API's typed objects (Deployment, Service, ...), for checks on what they say. */
    static List<KubernetesResource> objects(String yamlDocuments) {
        List<KubernetesResource> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(yamlDocuments)) {
            if (document != null) {
                objects.add(MAPPER.convertValue(document, KubernetesResource.class));
            }
        }
        return objects;
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference step : e.getPath()) {
            path.append(step.getPropertyName() != null ? "." + step.getPropertyName() : "[" + step.getIndex() + "]");
        }
        return path.isEmpty() ? "(top level)" : path.substring(path.charAt(0) == '.' ? 1 : 0);
    }

    private static String describe(Object document) {
        if (document instanceof Map<?, ?> map && map.get("metadata") instanceof Map<?, ?> metadata) {
            return map.get("kind") + "/" + metadata.get("name");
        }
        return String.valueOf(document);
    }

    /** Walks the typed object through its getters and reports every non-empty additionalProperties. */
    private static void unknownFields(Object node, String path, String where, List<String> problems) {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", where, problems);
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((key, value) -> unknownFields(value, path + "[" + key + "]", where, problems));
            return;
        }
        if (node == null || !node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = invoke(getter, node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(where + ": " + (path.isEmpty() ? "(top level)" : path) + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            unknownFields(value, path.isEmpty() ? field : path + "." + field, where, problems);
        }
    }

    private static Object invoke(Method getter, Object node) {
        try {
            return getter.invoke(node);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("reading " + getter, e);
        }
    }
}
