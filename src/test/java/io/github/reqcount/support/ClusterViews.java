package io.github.reqcount.support;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Reads GET /cluster from a replica or a stack, and waits for it to show something. */
public final class ClusterViews {

    private static final ObjectMapper json = new ObjectMapper();

    private ClusterViews() {
    }

    /** The view at baseUrl (ending in /); anything but a 200 fails. */
    public static JsonNode read(String baseUrl) {
        var response = Replies.get(baseUrl + "cluster");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/cluster answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }

    /** Polls the view until it meets the condition (refusals on the way are ignored), and returns it. */
    public static JsonNode await(String baseUrl, Predicate<JsonNode> condition, Duration limit) {
        return Awaitility.await().atMost(limit).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> read(baseUrl), condition);
    }

    public static Stream<JsonNode> replicas(JsonNode view) {
        return StreamSupport.stream(view.get("replicas").spliterator(), false);
    }
}
