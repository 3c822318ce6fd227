package io.github.reqcount.config;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.cluster.ReplicaHeartbeat;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class HeartbeatConfig {

    @Bean
    ReplicaHeartbeat replicaHeartbeat(StringRedisTemplate redis, ReplicaIdentity replica, ServiceProperties props) {
        return new ReplicaHeartbeat(redis, replica.name(), props.heartbeatTtl());
    }

    @Bean
    SchedulingConfigurer heartbeatSchedule(ReplicaHeartbeat heartbeat) {
        return tasks -> tasks.addFixedRateTask(heartbeat::beat, heartbeat.interval());
    }
}
