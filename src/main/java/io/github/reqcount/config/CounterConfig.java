package io.github.reqcount.config;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.CounterMetrics;
import io.github.reqcount.counter.RedisCounterTransaction;
import io.github.reqcount.counter.RetryOnce;
import io.github.reqcount.redis.PrimaryGuard;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class CounterConfig {

    /**
     * Group commit over the Redis transaction (with WAIT for the replicas under Sentinel, on the primary the guard
     * trusts), each attempt timed, a failed one retried once. A retry after an applied but unconfirmed attempt leaves
     * a gap, never a repeat.
     */
    @Bean
    ClusterCounter clusterCounter(StringRedisTemplate redis, ServiceProperties props, ReplicaIdentity replica,
            MeterRegistry meters, PrimaryGuard guard, LettuceConnectionFactory factory) {
        var metrics = new CounterMetrics(meters);
        var transaction = new RetryOnce(metrics.timed(new RedisCounterTransaction(redis, replica.name(),
                props.ackReplicas(factory.getSentinelConfiguration() != null), props.redisAckTimeout(), guard, () -> {
                    factory.resetConnection();
                    guard.recheck();
                })));
        return new ClusterCounter(transaction, props.batchMaxSize(), props.batchMaxInFlight(), metrics);
    }
}
