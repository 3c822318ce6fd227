package io.github.reqcount.config;

import io.github.reqcount.cluster.ReplicaHeartbeat;
import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.RedisCounterTransaction;
import io.github.reqcount.web.Instance;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class CounterConfig {

    @Bean
    ClusterCounter clusterCounter(StringRedisTemplate redis, CounterProperties props, Instance instance,
            MeterRegistry meters) {
        return new ClusterCounter(new RedisCounterTransaction(redis, instance.name()), props.batchMaxSize(),
                props.batchMaxInFlight(), meters);
    }

    @Bean
    ReplicaHeartbeat replicaHeartbeat(StringRedisTemplate redis, Instance instance, CounterProperties props) {
        return new ReplicaHeartbeat(redis, instance.name(), props.heartbeatTtl());
    }

    @Bean
    SchedulingConfigurer heartbeatSchedule(ReplicaHeartbeat heartbeat) {
        return tasks -> tasks.addFixedRateTask(heartbeat::beat, heartbeat.interval());
    }

    /** Every metric names the application and the replica it comes from. */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> instanceTag(Instance instance) {
        return registry -> registry.config().commonTags("instance", instance.name());
    }

    /** The host's name is read once, here, at start. */
    @Bean
    Instance instance(CounterProperties props) throws UnknownHostException {
        String name = props.instanceName().isBlank() ? InetAddress.getLocalHost().getHostName() : props.instanceName();
        return new Instance(name, props.servicePort());
    }
}
