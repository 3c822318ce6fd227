package io.github.reqcount.config;

import io.github.reqcount.ReplicaIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ReplicaConfig {

    /** The host's name is read once, here, at start. */
    @Bean
    ReplicaIdentity replicaIdentity(ServiceProperties props) throws UnknownHostException {
        String name = props.instanceName().isBlank() ? InetAddress.getLocalHost().getHostName() : props.instanceName();
        return new ReplicaIdentity(name, props.servicePort());
    }

    /** Every metric names the replica it comes from. */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> instanceTag(ReplicaIdentity replica) {
        return registry -> registry.config().commonTags("instance", replica.name());
    }
}
