package io.github.reqcount.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Checks Kubernetes objects against the API's schema through fabric8's model: each YAML document is read
 * into the class its apiVersion and kind name, and a field the schema doesn't know is a problem. fabric8
 * reads such a field without complaint into the object's additionalProperties, so every object is walked
 * and any non-empty additionalProperties, at any depth, is reported with its path. A kind the model doesn't
 * know comes back as a GenericKubernetesResource, and is reported too; a wrong type fails the read.
 */
final class KubernetesSchema {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesSchema() {
    }

    /** The objects of a multi-document YAML stream (what `kubectl kustomize` prints). */
    static List<HasMetadata> read(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (!document.isBlank()) {
                objects.add(SERIALIZATION.unmarshal(document));
            }
        }
        return objects;
    }

    /** Every field, anywhere in these objects, that the Kubernetes schema doesn't have; empty when valid. */
    static List<String> problems(String yaml) {
        List<String> problems = new ArrayList<>();
        for (HasMetadata object : read(yaml)) {
            String name = object.getKind() + "/" + object.getMetadata().getName();
            if (object instanceof GenericKubernetesResource) {
                problems.add(name + ": no such kind in " + object.getApiVersion());
            } else {
                walk(object, name, "", problems);
            }
        }
        return problems;
    }

    private static void walk(Object value, String name, String path, List<String> problems) {
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, name, path + "[" + i++ + "]", problems);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, name, path + "[" + key + "]", problems));
        } else if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
            for (Method getter : getters(value.getClass())) {
                Object field = invoke(getter, value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                        unknown.keySet().forEach(key -> problems.add(name + ": unknown field " + pathJoin(path, key)));
                    }
                } else {
                    walk(field, name, pathJoin(path, property(getter)), problems);
                }
            }
        }
    }

    private static List<Method> getters(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getDeclaringClass() != Object.class)
                .filter(m -> m.getName().startsWith("get") || m.getName().startsWith("is"))
                .toList();
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(getter + " on " + target.getClass(), e);
        }
    }

    private static String property(Method getter) {
        String name = getter.getName().replaceFirst("^(get|is)", "");
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    private static String pathJoin(String path, Object field) {
        return path.isEmpty() ? String.valueOf(field) : path + "." + field;
    }
}
