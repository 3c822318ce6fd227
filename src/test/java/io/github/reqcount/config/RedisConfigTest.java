package io.github.reqcount.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * The connection factory as Boot builds it from application.properties and the environment, with what RedisConfig
 * adds, read back from the factory itself: where it connects, as whom, and the client options that bound a dead
 * connection (TCP_USER_TIMEOUT on epoll, refusal while disconnected, the timeouts, the pool).
 */
class RedisConfigTest {

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({DataRedisAutoConfiguration.class, ValidationAutoConfiguration.class})
    @EnableConfigurationProperties(ServiceProperties.class)
    @Import(RedisConfig.class)
    static class RedisOnly {
    }

    @Test
    void lettuceRunsOnEpollSoThatDeadConnectionsAreDroppedWithinSeconds() {
        assertThat(EpollProvider.isAvailable()).as("Netty's epoll transport loads on this Linux host").isTrue();
        assertThat(Transports.datagramChannelClass()).as("the DNS resolver shares Lettuce's transport")
                .isEqualTo(EpollDatagramChannel.class);
    }

    @Test
    void theFactoryDropsDeadConnectionsWithinSecondsAndRefusesWhileDisconnected() {
        withFactory(Map.of(), factory -> {
            var client = factory.getClientConfiguration();
            ClientOptions options = client.getClientOptions().orElseThrow();
            assertThat(options.getSocketOptions().getTcpUserTimeout().isEnabled()).isTrue();
            assertThat(options.getSocketOptions().getTcpUserTimeout().getTcpUserTimeout())
                    .isEqualTo(RedisConfig.TCP_USER_TIMEOUT).isEqualTo(Duration.ofSeconds(2));
            assertThat(options.getDisconnectedBehavior()).isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
            assertThat(options.getSocketOptions().getConnectTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(client.getCommandTimeout()).isEqualTo(Duration.ofMillis(500));
            assertThat(client.getClientResources().orElseThrow().reconnectDelay().createDelay(30))
                    .as("reconnects back off to a second at most").isEqualTo(Duration.ofSeconds(1));
            assertThat(ReflectionTestUtils.getField(factory, "pipeliningFlushPolicy"))
                    .as("MULTI, INCRBY and EXEC leave in one write").isSameAs(PipeliningFlushPolicy.flushOnClose());
            assertThat(client).isInstanceOfSatisfying(LettucePoolingClientConfiguration.class, pooled -> {
                assertThat(pooled.getPoolConfig().getMaxTotal()).as("four transactions in flight, one cluster read, one shared").isEqualTo(6);
                assertThat(pooled.getPoolConfig().getMaxWaitDuration()).isEqualTo(Duration.ofMillis(500));
            });
        });
    }

    @Test
    void theOriginalTimeoutAndBatchVariablesSetTheClientAndThePool() {
        withFactory(Map.of("REDIS_CONNECT_TIMEOUT", "2s", "REDIS_COMMAND_TIMEOUT", "3s", "BATCH_MAX_IN_FLIGHT", "2"),
                factory -> {
                    var client = factory.getClientConfiguration();
                    assertThat(client.getClientOptions().orElseThrow().getSocketOptions().getConnectTimeout())
                            .isEqualTo(Duration.ofSeconds(2));
                    assertThat(client.getCommandTimeout()).isEqualTo(Duration.ofSeconds(3));
                    var pool = ((LettucePoolingClientConfiguration) client).getPoolConfig();
                    assertThat(pool.getMaxTotal()).isEqualTo(4);
                    assertThat(pool.getMaxWaitDuration()).as("a borrower waits at most a connect").isEqualTo(Duration.ofSeconds(2));
                });
    }

    @Test
    void withoutSentinelTheServiceTalksToOneRedis() {
        withFactory(Map.of("CONTAINER_DB_HOST", "redis", "CONTAINER_DB_PORT", "6380", "REDIS_USERNAME", "reqcount",
                "REDIS_PASSWORD", "secret"), factory -> {
                    assertThat(factory.getSentinelConfiguration()).isNull();
                    assertThat(factory.getHostName() + ":" + factory.getPort()).isEqualTo("redis:6380");
                    assertThat(factory.getStandaloneConfiguration().getUsername()).isEqualTo("reqcount");
                    assertThat(factory.getStandaloneConfiguration().getPassword().get()).isEqualTo("secret".toCharArray());
                });
    }

    @Test
    void bootsPoolSettingsApplyButTheSizeFollowsTheTransactionsInFlight() {
        withFactory(Map.of("SPRING_DATA_REDIS_LETTUCE_POOL_MAX_WAIT", "3s",
                "SPRING_DATA_REDIS_LETTUCE_POOL_TIME_BETWEEN_EVICTION_RUNS", "1m"), factory -> {
                    var pool = ((LettucePoolingClientConfiguration) factory.getClientConfiguration()).getPoolConfig();
                    assertThat(pool.getMaxWaitDuration()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(pool.getDurationBetweenEvictionRuns()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(pool.getMaxTotal()).isEqualTo(6);
                });
    }

    @Test
    void bootsOwnVariablesWinOverTheOriginalOnes() {
        withFactory(Map.of("CONTAINER_DB_HOST", "redis", "SPRING_DATA_REDIS_HOST", "other-redis",
                "SPRING_DATA_REDIS_CLIENT_NAME", "counter"), factory -> {
                    assertThat(factory.getHostName()).isEqualTo("other-redis");
                    assertThat(factory.getClientConfiguration().getClientName()).hasValue("counter");
                });
    }

    @Test
    void sentinelSettingsReplaceTheRedisAddress() {
        withFactory(Map.of("REDIS_SENTINEL_MASTER", "reqcount",
                "REDIS_SENTINEL_NODES", "sentinel-1:26379,sentinel-2:26379,10.0.0.3:26380",
                "CONTAINER_DB_HOST", "ignored", "REDIS_USERNAME", "reqcount", "REDIS_PASSWORD", "secret"), factory -> {
                    var sentinel = factory.getSentinelConfiguration();
                    assertThat(sentinel).isNotNull();
                    assertThat(sentinel.getMaster().getName()).isEqualTo("reqcount");
                    assertThat(sentinel.getSentinels()).extracting(RedisNode::asString)
                            .containsExactlyInAnyOrder("sentinel-1:26379", "sentinel-2:26379", "10.0.0.3:26380");
                    // The service's own user on the Redis servers and on the Sentinels alike.
                    assertThat(sentinel.getUsername()).isEqualTo("reqcount");
                    assertThat(sentinel.getPassword().get()).isEqualTo("secret".toCharArray());
                    assertThat(sentinel.getSentinelUsername()).isEqualTo("reqcount");
                    assertThat(sentinel.getSentinelPassword().get()).isEqualTo("secret".toCharArray());
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sentinel-1", "sentinel-1:0", "sentinel-1:65536", "sentinel-1:26379,", "a:1,,b:2",
            "a:1 b:2", ":26379"})
    void badSentinelNodesStopTheStartNamingTheSetting(String nodes) {
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", nodes),
                "REDIS_SENTINEL_NODES must be host:port,host:port,... with ports from 1 to 65535");
    }

    @Test
    void aMasterNameWithoutNodesOrNodesWithoutAMasterNameStopTheStart() {
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount"),
                "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
        failsWith(Map.of("REDIS_SENTINEL_NODES", "s:26379"),
                "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together");
    }

    @Test
    void aBadPortStopsTheStartNamingTheVariable() {
        failsWith(Map.of("CONTAINER_DB_PORT", "65536"), "CONTAINER_DB_PORT must be a port from 1 to 65535");
        failsWith(Map.of("CONTAINER_DB_PORT", "redis"), "CONTAINER_DB_PORT must be a port from 1 to 65535");
    }

    @Test
    void withSentinelTheAcknowledgementMustComeWithinTheCommandTimeout() {
        failsWith(Map.of("REDIS_SENTINEL_MASTER", "reqcount", "REDIS_SENTINEL_NODES", "s:26379",
                "REDIS_ACK_TIMEOUT", "500ms"), "REDIS_ACK_TIMEOUT must be shorter than REDIS_COMMAND_TIMEOUT");
        failsWith(Map.of("REDIS_ACK_REPLICAS", "1", "REDIS_ACK_TIMEOUT", "1s", "REDIS_COMMAND_TIMEOUT", "1s"),
                "REDIS_ACK_TIMEOUT must be shorter than REDIS_COMMAND_TIMEOUT");
        withFactory(Map.of("REDIS_ACK_REPLICAS", "2", "REDIS_ACK_TIMEOUT", "250ms", "REDIS_COMMAND_TIMEOUT", "1s"),
                factory -> assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofSeconds(1)));
    }

    private static void failsWith(Map<String, String> env, String message) {
        assertThatThrownBy(() -> start(env).close()).satisfies(failure ->
                assertThat(NestedExceptionUtils.getMostSpecificCause(failure)).hasMessageContaining(message));
    }

    private static void withFactory(Map<String, String> env, Consumer<LettuceConnectionFactory> check) {
        try (var context = start(env)) {
            check.accept(context.getBean(LettuceConnectionFactory.class));
        }
    }

    /**
     * Starts Boot's Redis configuration with RedisConfig, with the variables as the whole process environment, and
     * application.properties and the environment post-processors as the service has them.
     */
    static ConfigurableApplicationContext start(Map<String, String> env) {
        Map<String, Object> variables = new HashMap<>(env);
        var environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        return new SpringApplicationBuilder(RedisOnly.class).web(WebApplicationType.NONE).environment(environment)
                .logStartupInfo(false).run();
    }
}
