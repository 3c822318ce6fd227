package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Where the service finds Redis: the original CONTAINER_DB_HOST/PORT and REDIS_USERNAME/PASSWORD, or Boot's own
 * SPRING_DATA_REDIS_*, which win. Each replica is started with only those variables as its environment, and counts
 * against the Redis they name. The address is 127.0.0.1, not the default localhost, so the factory's host shows
 * which variable it was built from.
 */
class RedisAddressIT {

    private static final RedisServer redis = RedisServer.shared();

    @BeforeEach
    void freshRedis() {
        redis.flushAll();
    }

    @Test
    void theOriginalVariablesNameTheRedisTheServiceCountsIn() {
        countsIn(Map.of("CONTAINER_DB_HOST", "127.0.0.1", "CONTAINER_DB_PORT", String.valueOf(redis.port()),
                "REDIS_USERNAME", RedisServer.USER, "REDIS_PASSWORD", RedisServer.PASSWORD));
    }

    @Test
    void bootsOwnVariablesNameItTooAndWinOverTheOriginalOnes() {
        countsIn(Map.of("CONTAINER_DB_HOST", "nowhere.invalid", "CONTAINER_DB_PORT", "1",
                "SPRING_DATA_REDIS_HOST", "127.0.0.1", "SPRING_DATA_REDIS_PORT", String.valueOf(redis.port()),
                "SPRING_DATA_REDIS_USERNAME", RedisServer.USER, "SPRING_DATA_REDIS_PASSWORD", RedisServer.PASSWORD));
    }

    private static void countsIn(Map<String, String> redisVariables) {
        var environment = new HashMap<>(redisVariables);
        environment.put("INSTANCE_NAME", "address-replica");
        try (var app = new RunningApp(environment)) {
            var factory = app.bean(LettuceConnectionFactory.class);
            assertThat(factory.getHostName() + ":" + factory.getPort()).isEqualTo("127.0.0.1:" + redis.port());
            for (int i = 1; i <= 3; i++) {
                var response = Replies.get(app.url());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(Replies.parse(response.body()).cluster()).isEqualTo(i);
            }
            assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "get", RedisKeys.TOTAL).trim()).isEqualTo("3");
        }
    }
}
