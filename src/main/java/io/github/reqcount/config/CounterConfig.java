package io.github.reqcount.config;

import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.RedisCounterTransaction;
import io.github.reqcount.web.Instance;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class CounterConfig {

    @Bean
    ClusterCounter clusterCounter(StringRedisTemplate redis, CounterProperties props, MeterRegistry meters) {
        return new ClusterCounter(new RedisCounterTransaction(redis), props.batchMaxSize(), props.batchMaxInFlight(),
                meters);
    }

    /** The host's name is read once, here, at start. */
    @Bean
    Instance instance(CounterProperties props) throws UnknownHostException {
        String name = props.instanceName().isBlank() ? InetAddress.getLocalHost().getHostName() : props.instanceName();
        return new Instance(name, props.servicePort());
    }
}
