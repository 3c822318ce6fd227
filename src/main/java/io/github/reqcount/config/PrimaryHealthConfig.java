package io.github.reqcount.config;

import io.github.reqcount.redis.PrimaryGuard;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PrimaryHealthConfig {

    /**
     * Part of readiness (application.properties): a replica with no primary to trust (its Sentinel watch still
     * connecting at start, or a failover under way) is not ready, so the edge sends its requests to one that is,
     * rather than to one that would refuse them. Liveness never looks at it.
     */
    @Bean
    HealthIndicator primaryHealthIndicator(PrimaryGuard guard) {
        return () -> {
            try {
                guard.current();
                return Health.up().build();
            } catch (PrimaryGuard.NoPrimaryException e) {
                return Health.down().withDetail("reason", e.getMessage()).build();
            }
        };
    }
}
