package io.github.reqcount.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The service's own settings as environment variables: the acknowledgement defaults, bad values. (Redis's: RedisConfigTest.) */
class ServicePropertiesTest {

    @EnableConfigurationProperties(ServiceProperties.class)
    static class Settings {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    @Test
    void withoutSentinelNoReplicaMustConfirmAndWithSentinelOneWithin100ms() {
        run(Map.of(), context -> {
            var props = context.getBean(ServiceProperties.class);
            assertThat(props.ackReplicas(false)).isZero();
            assertThat(props.ackReplicas(true)).isEqualTo(1);
            assertThat(props.redisAckTimeout()).isEqualTo(Duration.ofMillis(100));
        });
    }

    @Test
    void anEmptyAckReplicasMeansTheDefault() {
        // .env.example leaves it empty, and start_service.sh exports .env as it is.
        run(Map.of("REDIS_ACK_REPLICAS", ""),
                context -> assertThat(context.getBean(ServiceProperties.class).ackReplicas(true)).isEqualTo(1));
    }

    @Test
    void theAcknowledgementCanBeTurnedOffOrRaised() {
        run(Map.of("REDIS_ACK_REPLICAS", "0"),
                context -> assertThat(context.getBean(ServiceProperties.class).ackReplicas(true)).isZero());
        run(Map.of("REDIS_ACK_REPLICAS", "2", "REDIS_ACK_TIMEOUT", "250ms"), context -> {
            var props = context.getBean(ServiceProperties.class);
            assertThat(props.ackReplicas(false)).isEqualTo(2);
            assertThat(props.redisAckTimeout()).isEqualTo(Duration.ofMillis(250));
        });
    }

    @Test
    void badAcknowledgementSettingsStopTheStart() {
        failsWith(Map.of("REDIS_ACK_REPLICAS", "-1"), "redisAckReplicas");
        failsWith(Map.of("REDIS_ACK_REPLICAS", "1", "REDIS_ACK_TIMEOUT", "0ms"), "redisAckTimeout");
        // Against REDIS_COMMAND_TIMEOUT, which is Boot's: RedisConfigTest.
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
