package io.github.reqcount.config;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The service's own settings, bound from the root so that the original variable names work as they are:
 * SERVICE_PORT binds to servicePort, BATCH_MAX_SIZE to batchMaxSize, and so on. A bad value fails the start with
 * the variable's name in the message. The address and the two ports default in application.properties, where
 * Spring's servers read them too. Redis's own settings (CONTAINER_DB_HOST, REDIS_SENTINEL_NODES, ...) are Boot's
 * spring.data.redis.*: see application.properties and RedisVariables. INSTANCE_NAME is ReplicaName's, which reads
 * it before logging starts.
 *
 * <p>REDIS_ACK_REPLICAS (by default 1 with Sentinel, else 0) replicas must confirm each transaction within
 * REDIS_ACK_TIMEOUT before any of its requests is answered.
 */
@Validated
@ConfigurationProperties
public record ServiceProperties(
        @NotBlank String serviceHost,
        @Min(1) @Max(65535) int servicePort,
        // Actuator (health, metrics) listens here, never on the public port.
        @Min(1) @Max(65535) int managementPort,
        // Empty means the default: 1 with Sentinel, 0 without.
        @Min(0) @Max(16) Integer redisAckReplicas,
        @DefaultValue("100ms") @DurationMin(millis = 1) @DurationMax(seconds = 10) Duration redisAckTimeout,
        // Group commit: the most requests one transaction carries, and the most transactions in flight. Redis
        // with appendfsync always (the default) fsyncs once per event-loop turn, for every transaction that reached it
        // meanwhile. On a fast disk two in flight served 1.1-1.2x four with it in one side-by-side run, but a Redis
        // killed under load with two left two requests unanswered for 5 s in StackE2E, so four stays until that is
        // understood. On a slow disk ClusterCounter's linger, not this bound, packs the requests that return together
        // into one transaction (bench/results/durable.md).
        @DefaultValue("256") @Min(1) @Max(100000) int batchMaxSize,
        @DefaultValue("4") @Min(1) @Max(64) int batchMaxInFlight,
        // A replica whose heartbeat is older than this shows as gone; it beats three times per period.
        @DefaultValue("10s") @DurationMin(seconds = 1) @DurationMax(minutes = 10) Duration heartbeatTtl,
        // A replica gone for longer than this is folded into /cluster's one retired count.
        @DefaultValue("1h") @DurationMin(seconds = 1) @DurationMax(days = 365) Duration retireAfter,
        // On SIGTERM, readiness refuses at once and the replica keeps serving this long before its graceful shutdown,
        // so that the edges' health checks take it out of rotation first (web.DrainOnShutdown).
        @DefaultValue("3s") @DurationMin(millis = 0) @DurationMax(seconds = 60) Duration drainDelay,
        // The console's format; application.properties maps it onto Spring Boot's structured logging.
        @DefaultValue("text") @Pattern(regexp = "text|ecs|logstash", message = "must be text, ecs or logstash")
        String logFormat) {

    /** How many replicas must confirm each transaction (0: none, and no WAIT is sent), with or without Sentinel. */
    public int ackReplicas(boolean sentinel) {
        return redisAckReplicas != null ? redisAckReplicas : sentinel ? 1 : 0;
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
