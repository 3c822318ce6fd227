package io.github.reqcount.config;

import io.github.reqcount.ReplicaIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class ReplicaConfig {

    /** The name ReplicaName gave this replica before logging started, so the logs and the replies agree. */
    @Bean
    ReplicaIdentity replicaIdentity(ServiceProperties props, Environment environment) {
        return new ReplicaIdentity(environment.getRequiredProperty(ReplicaName.PROPERTY), props.servicePort());
    }

    /** Every metric names the replica it comes from. */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> instanceTag(ReplicaIdentity replica) {
        return registry -> registry.config().commonTags("instance", replica.name());
    }
}
