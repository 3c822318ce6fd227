package io.github.reqcount.config;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.cluster.ClusterUpkeep;
import io.github.reqcount.cluster.ClusterView;
import io.github.reqcount.cluster.ReplicaHeartbeat;
import io.github.reqcount.cluster.ReplicaRetirement;
import io.micrometer.core.instrument.MeterRegistry;
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
    ClusterUpkeep clusterUpkeep(ClusterView view, StringRedisTemplate redis, ServiceProperties props,
            MeterRegistry meters) {
        return new ClusterUpkeep(view, new ReplicaRetirement(redis), props.retireAfter(), meters);
    }

    /** The beat and the upkeep (the consistency gauge, retiring gone replicas) at the same rate. */
    @Bean
    SchedulingConfigurer heartbeatSchedule(ReplicaHeartbeat heartbeat, ClusterUpkeep upkeep) {
        return tasks -> {
            tasks.addFixedRateTask(heartbeat::beat, heartbeat.interval());
            tasks.addFixedRateTask(upkeep::run, heartbeat.interval());
        };
    }
}
