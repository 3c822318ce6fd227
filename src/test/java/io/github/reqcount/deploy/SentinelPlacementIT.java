package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Placement is part of the guarantee: each Sentinel runs on the node of its own Redis, one pair per node. With a
 * Sentinel majority apart from the primary and a replica, both sides of a partition acknowledge numbers (the
 * majority promotes the other replica while the old primary still gets its WAIT answered), and they repeat. The
 * service stops only when it can't reach a majority, so a majority beside the primary keeps the promise.
 */
class SentinelPlacementIT {

    /** docker-stack.yml with deploy/stack/ha.yml, merged: `redis` keeps the base's node. */
    static Map<String, Map<String, Object>> services() throws IOException, InterruptedException {
        return StackFiles.services(new StackFiles.Choice(StackFiles.Edge.NO_IPVS, true, true, false));
    }

    @SuppressWarnings("unchecked")
    static List<String> constraints(Map<String, Object> service) {
        var deploy = (Map<String, Object>) service.get("deploy");
        var placement = (Map<String, Object>) deploy.get("placement");
        return (List<String>) placement.get("constraints");
    }

    @SuppressWarnings("unchecked")
    static String env(Map<String, Object> service, String name) {
        return String.valueOf(((Map<String, Object>) service.get("environment")).get(name));
    }

    @Test
    void eachSentinelIsPinnedToTheNodeOfItsOwnRedisAndEachPairToANodeOfItsOwn() throws Exception {
        var services = services();
        List<String> redis = List.of("redis", "redis-2", "redis-3");
        for (int i = 0; i < 3; i++) {
            var sentinel = services.get("sentinel-" + (i + 1));
            assertThat(constraints(sentinel)).as("sentinel-%d beside %s", i + 1, redis.get(i))
                    .isEqualTo(constraints(services.get(redis.get(i))))
                    .singleElement().asString().matches("node\\.labels\\.reqcount\\.[a-z0-9-]+ == true");
        }
        assertThat(redis.stream().map(r -> constraints(services.get(r))).distinct()).as("one pair per node").hasSize(3);
    }

    @Test
    void theServiceAndEveryRedisKnowAllThreeSentinels() throws Exception {
        var services = services();
        var sentinels = List.of("sentinel-1:26379", "sentinel-2:26379", "sentinel-3:26379");
        assertThat(Arrays.asList(env(services.get("counter"), "REDIS_SENTINEL_NODES").split(","))).isEqualTo(sentinels);
        for (String name : List.of("redis", "redis-2", "redis-3", "sentinel-1", "sentinel-2", "sentinel-3")) {
            assertThat(Arrays.asList(env(services.get(name), "HA_SENTINELS").split(","))).as(name).isEqualTo(sentinels);
        }
    }
}
