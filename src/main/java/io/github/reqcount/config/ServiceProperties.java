package io.github.reqcount.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the service, bound from the root so that the original variable names work as they
 * are: SERVICE_PORT binds to servicePort, CONTAINER_DB_HOST to containerDbHost, and so on. A bad value
 * fails the start with the variable's name in the message. The address and port default in
 * application.properties, where Spring's server reads them too.
 */
@Validated
@ConfigurationProperties
public record ServiceProperties(
        @NotBlank String serviceHost,
        @Min(1) @Max(65535) int servicePort,
        // The name this replica gives in its replies; empty means the host's name.
        @DefaultValue("") String instanceName,
        @DefaultValue("localhost") @NotBlank String containerDbHost,
        @DefaultValue("6379") @Min(1) @Max(65535) int containerDbPort,
        @DefaultValue("") String redisPassword,
        @DefaultValue("500ms") @DurationMin(millis = 1) @DurationMax(seconds = 60) Duration redisConnectTimeout,
        @DefaultValue("500ms") @DurationMin(millis = 1) @DurationMax(seconds = 60) Duration redisCommandTimeout,
        // Group commit: the most requests one transaction carries, and the most transactions in flight. One in
        // flight makes the largest batches (fewest Redis commands per request); see bench/results/tuning.md.
        @DefaultValue("256") @Min(1) @Max(100000) int batchMaxSize,
        @DefaultValue("1") @Min(1) @Max(64) int batchMaxInFlight,
        // A replica whose heartbeat is older than this shows as gone; it beats three times per period.
        @DefaultValue("10s") @DurationMin(seconds = 1) @DurationMax(minutes = 10) Duration heartbeatTtl) {
}
