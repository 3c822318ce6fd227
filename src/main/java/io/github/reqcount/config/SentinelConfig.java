package io.github.reqcount.config;

import io.github.reqcount.redis.PrimaryGuard;
import io.github.reqcount.redis.SentinelWatch;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

@Configuration(proxyBeanMethods = false)
class SentinelConfig {

    /**
     * With Sentinel, which primary the counter may count on (see SentinelWatch); with one Redis, any. The watch
     * asks the Sentinels that the connection factory asks, as the same users, with the same client options. It has
     * a client and resources of its own, so that its reconnects to the Sentinels are not taken for the data
     * connections' reconnects; it shuts them down when it stops.
     */
    @Bean
    PrimaryGuard primaryGuard(LettuceConnectionFactory factory) {
        RedisSentinelConfiguration sentinel = factory.getSentinelConfiguration();
        if (sentinel == null) {
            return PrimaryGuard.ANY;
        }
        var builder = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1);
        RedisConfig.reconnectQuicklyToWhereRedisIsNow(builder);
        var client = RedisClient.create(builder.build());
        factory.getClientConfiguration().getClientOptions().ifPresent(client::setOptions);
        Duration timeout = factory.getClientConfiguration().getCommandTimeout();
        List<RedisURI> sentinels = sentinel.getSentinels().stream().map(node -> loggedIn(
                RedisURI.builder().withHost(node.getHost()).withPort(node.getPort()), timeout,
                sentinel.getSentinelUsername(), sentinel.getSentinelPassword())).toList();
        return new SentinelWatch(client, sentinel.getMaster().getName(), sentinels,
                loggedIn(RedisURI.builder().withHost("primary"), timeout, sentinel.getUsername(), sentinel.getPassword()),
                factory::resetConnection);
    }

    /** The user and password (none: Redis's default user; no password: none asked), and the command timeout. */
    private static RedisURI loggedIn(RedisURI.Builder uri, Duration timeout, String username, RedisPassword password) {
        uri.withTimeout(timeout);
        if (password.isPresent()) {
            uri = username == null || username.isEmpty() ? uri.withPassword(password.get())
                    : uri.withAuthentication(username, password.get());
        }
        return uri.build();
    }
}
