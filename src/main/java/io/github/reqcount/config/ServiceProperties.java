package io.github.reqcount.config;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the service, bound from the root so that the original variable names work as they
 * are: SERVICE_PORT binds to servicePort, CONTAINER_DB_HOST to containerDbHost, and so on. A bad value
 * fails the start with the variable's name in the message. The address and the two ports default in
 * application.properties, where Spring's servers read them too.
 *
 * <p>With REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES set, the service asks those Sentinels for the primary
 * and CONTAINER_DB_HOST/PORT are ignored. REDIS_ACK_REPLICAS (by default 1 with Sentinel, else 0) replicas must
 * confirm each transaction within REDIS_ACK_TIMEOUT before any of its requests is answered.
 */
@Validated
@ConfigurationProperties
public record ServiceProperties(
        @NotBlank String serviceHost,
        @Min(1) @Max(65535) int servicePort,
        // Actuator (health, metrics) listens here, never on the public port.
        @Min(1) @Max(65535) int managementPort,
        // The name this replica gives in its replies; empty means the host's name.
        @DefaultValue("") String instanceName,
        @DefaultValue("localhost") @NotBlank String containerDbHost,
        @DefaultValue("6379") @Min(1) @Max(65535) int containerDbPort,
        // The Redis ACL user and its password; an empty user means Redis's default user (a bare requirepass).
        @DefaultValue("") String redisUsername,
        @DefaultValue("") String redisPassword,
        // The name the Sentinels monitor, and where they listen: host:port,host:port,...
        @DefaultValue("") String redisSentinelMaster,
        @DefaultValue("") @Pattern(regexp = "|" + NODE + "(," + NODE + ")*",
                message = "must be host:port,host:port,... with ports from 1 to 65535") String redisSentinelNodes,
        // Empty means the default: 1 with Sentinel, 0 without.
        @Min(0) @Max(16) Integer redisAckReplicas,
        @DefaultValue("100ms") @DurationMin(millis = 1) @DurationMax(seconds = 10) Duration redisAckTimeout,
        @DefaultValue("500ms") @DurationMin(millis = 1) @DurationMax(seconds = 60) Duration redisConnectTimeout,
        @DefaultValue("500ms") @DurationMin(millis = 1) @DurationMax(seconds = 60) Duration redisCommandTimeout,
        // Group commit: the most requests one transaction carries, and the most transactions in flight. One in
        // flight makes the largest batches (fewest Redis commands per request); see bench/results/tuning.md.
        @DefaultValue("256") @Min(1) @Max(100000) int batchMaxSize,
        @DefaultValue("1") @Min(1) @Max(64) int batchMaxInFlight,
        // A replica whose heartbeat is older than this shows as gone; it beats three times per period.
        @DefaultValue("10s") @DurationMin(seconds = 1) @DurationMax(minutes = 10) Duration heartbeatTtl,
        // A replica gone for longer than this is folded into /cluster's one retired count.
        @DefaultValue("1h") @DurationMin(seconds = 1) @DurationMax(days = 365) Duration retireAfter,
        // The console's format; application.properties maps it onto Spring Boot's structured logging.
        @DefaultValue("text") @Pattern(regexp = "text|ecs|logstash", message = "must be text, ecs or logstash")
        String logFormat) {

    /** host:port, the port 1 to 65535 without leading zeros. */
    private static final String NODE = "[^,:\\s]+:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

    public boolean sentinel() {
        return !redisSentinelMaster.isBlank();
    }

    /** REDIS_SENTINEL_NODES, one host:port each. */
    public List<String> sentinelNodes() {
        return redisSentinelNodes.isBlank() ? List.of() : Arrays.asList(redisSentinelNodes.split(","));
    }

    /** How many replicas must confirm each transaction (0: none, and no WAIT is sent). */
    public int ackReplicas() {
        return redisAckReplicas != null ? redisAckReplicas : sentinel() ? 1 : 0;
    }

    @AssertTrue(message = "REDIS_SENTINEL_MASTER and REDIS_SENTINEL_NODES must be set together")
    public boolean isSentinelComplete() {
        return redisSentinelMaster.isBlank() == redisSentinelNodes.isBlank();
    }

    // WAIT has to answer before Lettuce gives up on the command, or a slow replica would read as a lost Redis.
    @AssertTrue(message = "REDIS_ACK_TIMEOUT must be shorter than REDIS_COMMAND_TIMEOUT")
    public boolean isAckTimeoutWithinCommandTimeout() {
        return ackReplicas() == 0 || redisAckTimeout.compareTo(redisCommandTimeout) < 0;
    }

    // A replica counts as gone only once its heartbeat key has expired, HEARTBEAT_TTL after its last beat.
    @AssertTrue(message = "RETIRE_AFTER must be longer than HEARTBEAT_TTL, or a live replica could be retired")
    public boolean isRetireAfterBeyondHeartbeat() {
        return retireAfter.compareTo(heartbeatTtl) > 0;
    }

    @AssertTrue(message = "MANAGEMENT_PORT must differ from SERVICE_PORT, or Actuator would answer on the public port")
    public boolean isManagementPortSeparate() {
        return managementPort != servicePort;
    }
}
