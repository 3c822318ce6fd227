package io.github.reqcount.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

/** The Redis settings as environment variables: Sentinel or one Redis, the acknowledgement defaults, bad values. */
class ServicePropertiesTest {

    @EnableConfigurationProperties(ServiceProperties.class)
    static class Settings {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void withoutSentinelTheServiceTalksToOneRedisAndWaitsForNoReplica() {
        run(Map.of("CONTAINER_DB_HOST", "redis", "CONTAINER_DB_PORT", "6380"), context -> {
            var props = context.getBean(ServiceProperties.class);
            assertThat(props.sentinel()).isFalse();
            assertThat(props.ackReplicas()).isZero();
            assertThat(RedisConfig.server(props)).isInstanceOfSatisfying(RedisStandaloneConfiguration.class,
                    server -> assertThat(server.getHostName() + ":" + server.getPort()).isEqualTo("redis:6380"));
        });
    }

    @Test
    void sentinelSettingsReplaceTheRedisAddressAndWaitForOneReplicaWithin100ms() {
        run(Map.of("REDIS_SENTINEL_MASTER", "reqcount",
                "REDIS_SENTINEL_NODES", "sentinel-1:26379,sentinel-2:26379,10.0.0.3:26380",
                "CONTAINER_DB_HOST", "ignored", "REDIS_USERNAME", "reqcount", "REDIS_PASSWORD", "secret"), context -> {
            var props = context.getBean(ServiceProperties.class);
            assertThat(props.ackReplicas()).isEqualTo(1);
            assertThat(props.redisAckTimeout()).isEqualTo(Duration.ofMillis(100));
            assertThat(RedisConfig.server(props)).isInstanceOfSatisfying(RedisSentinelConfiguration.class, sentinel -> {
                assertThat(sentinel.getMaster().getName()).isEqualTo("reqcount");
                assertThat(sentinel.getSentinels()).extracting(RedisNode::asString)
                        .containsExactlyInAnyOrder("sentinel-1:26379", "sentinel-2:26379", "10.0.0.3:26380");
                // The service's own user on the Redis servers and on the Sentinels alike.
                assertThat(sentinel.getUsername()).isEqualTo("reqcount");
                assertThat(sentinel.getPassword().get()).isEqualTo("secret".toCharArray());
                assertThat(sentinel.getSentinelUsername()).isEqualTo("reqcount");
                assertThat(sentinel.getSentinelPassword().get()).isEqualTo("secret".toCharArray());
            });
        });
    }

    @Test
    void anEmptyAckReplicasMeansTheDefault() {
        // .env.example leaves it empty, and start_service.sh exports .env as it is.
        run(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", "s:26379", "REDIS_ACK_REPLICAS", ""),
                context -> assertThat(context.getBean(ServiceProperties.class).ackReplicas()).isEqualTo(1));
    }

    @Test
    void theAcknowledgementCanBeTurnedOffOrRaised() {
        run(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", "s:26379", "REDIS_ACK_REPLICAS", "0"),
                context -> assertThat(context.getBean(ServiceProperties.class).ackReplicas()).isZero());
        run(Map.of("REDIS_ACK_REPLICAS", "2", "REDIS_ACK_TIMEOUT", "250ms", "REDIS_COMMAND_TIMEOUT", "1s"), context -> {
            var props = context.getBean(ServiceProperties.class);
            assertThat(props.ackReplicas()).isEqualTo(2);
            assertThat(props.redisAckTimeout()).isEqualTo(Duration.ofMillis(250));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sentinel-1", "sentinel-1:0", "sentinel-1:65536", "sentinel-1:26379,", "a:1,,b:2",
            "a:1 b:2", ":26379"})
    void badSentinelNodesStopTheStartNamingTheSetting(String nodes) {
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", nodes),
                "redisSentinelNodes", "must be host:port,host:port,... with ports from 1 to 65535");
    }

    @Test
    void aMasterNameWithoutNodesOrNodesWithoutAMasterNameStopTheStart() {
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount"),
                "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
        failsWith(Map.of("REDIS_SENTINEL_NODES", "s:26379"),
                "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
    }

    @Test
    void badAcknowledgementSettingsStopTheStart() {
        failsWith(Map.of("REDIS_ACK_REPLICAS", "-1"), "redisAckReplicas");
        failsWith(Map.of("REDIS_ACK_REPLICAS", "1", "REDIS_ACK_TIMEOUT", "0ms"), "redisAckTimeout");
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", "s:26379",
                "REDIS_ACK_TIMEOUT", "500ms"), "REDIS_ACK_TIMEOUT must be shorter than REDIS_COMMAND_TIMEOUT");
    }

    @Test
    void goneReplicasRetireAfterAnHourByDefaultAndNeverBeforeTheirHeartbeatExpires() {
        run(Map.of(), context -> assertThat(context.getBean(ServiceProperties.class).retireAfter())
                .isEqualTo(Duration.ofHours(1)));
        failsWith(Map.of("RETIRE_AFTER", "10s", "HEARTBEAT_TTL", "10s"),
                "RETIRE_AFTER must be longer than HEARTBEAT_TTL, or a live replica could be retired");
        failsWith(Map.of("RETIRE_AFTER", "0s"), "retireAfter");
    }

    @Test
    void logFormatIsTextEcsOrLogstash() {
        run(Map.of(), context -> assertThat(context.getBean(ServiceProperties.class).logFormat()).isEqualTo("text"));
        run(Map.of("LOG_FORMAT", "logstash"), context -> assertThat(context).hasNotFailed());
        failsWith(Map.of("LOG_FORMAT", "json"), "logFormat", "must be text, ecs or logstash");
    }

    private void failsWith(Map<String, String> env, String... messages) {
        run(env, context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().message().contains(messages);
        });
    }

    /** Binds the variables as the real environment would, beside the two defaults application.properties gives. */
    private void run(Map<String, String> env, ContextConsumer<AssertableApplicationContext> check) {
        Map<String, Object> variables = new HashMap<>(env);
        variables.putIfAbsent("SERVICE_HOST", "0.0.0.0");
        variables.putIfAbsent("SERVICE_PORT", "8083");
        variables.putIfAbsent("MANAGEMENT_PORT", "8081");
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                variables)))
                .run(check);
    }
}
