package io.github.reqcount.e2e;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The test stack's Prometheus (deploy/stack/monitoring.yml), which is not published: its HTTP API is asked from
 * inside a counter replica's container (bash's /dev/tcp, the image has no curl), on the stack's own network.
 */
final class Prometheus {

    private static final ObjectMapper json = new ObjectMapper();

    private Prometheus() {
    }

    /** One sample of an instant query: its labels and value. */
    record Sample(Map<String, String> labels, double value) {
    }

    /** An instant query's result vector. */
    static List<Sample> query(String promql) {
        JsonNode data = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("data");
        List<Sample> samples = new ArrayList<>();
        for (JsonNode item : data.get("result")) {
            Map<String, String> labels = new TreeMap<>();
            item.get("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
            samples.add(new Sample(labels, Double.parseDouble(item.get("value").get(1).asString())));
        }
        return samples;
    }

    /** Each alert's name and state (pending or firing); an alert with several label sets shows its worst state. */
    static Map<String, String> alerts() {
        Map<String, String> states = new TreeMap<>();
        for (JsonNode alert : get("/api/v1/alerts").get("data").get("alerts")) {
            String name = alert.get("labels").get("alertname").asString();
            String state = alert.get("state").asString();
            states.merge(name, state, (a, b) -> a.equals("firing") ? a : b);
        }
        return states;
    }

    private static JsonNode get(String path) {
        List<String> counters = Swarm.containers("counter");
        if (counters.isEmpty()) {
            throw new IllegalStateException("No running counter container to ask Prometheus from");
        }
        String response = Swarm.docker("exec", counters.get(0), "bash", "-c",
                "exec 3<>/dev/tcp/prometheus/9090 && printf 'GET %s HTTP/1.0\\r\\nHost: prometheus\\r\\n\\r\\n' \"$1\" >&3"
                        + " && timeout 10 cat <&3", "query", path);
        int body = response.indexOf("\r\n\r\n");
        if (!response.startsWith("HTTP/1.") || !response.substring(0, response.indexOf('\r')).contains(" 200") || body < 0) {
            throw new IllegalStateException("Prometheus answered " + path + " with: " + response.lines().findFirst().orElse(""));
        }
        JsonNode tree = json.readTree(response.substring(body + 4));
        if (!"success".equals(tree.get("status").asString())) {
            throw new IllegalStateException("Prometheus: " + tree);
        }
        return tree;
    }
}
