package io.github.reqcount.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.Transports;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration.LettucePoolingClientConfigurationBuilder;

/**
 * What Boot's Lettuce auto-configuration has no property for; it builds the connection factory from
 * spring.data.redis.* (application.properties maps the original variables onto them) and applies these. Public so
 * that a test of the template alone (a {@code @DataRedisTest}) can import it.
 */
@Configuration(proxyBeanMethods = false)
public class RedisConfig {

    /**
     * When a Redis's node dies, or the network to it is cut, nothing resets the connection: commands time out one
     * after another on a socket that looks open, and Lettuce reconnects (and asks the Sentinels again) only once
     * the kernel gives up, after many minutes. TCP_USER_TIMEOUT bounds that to a few seconds of unacknowledged
     * data. A slow but living Redis still acknowledges at the TCP level, so only a dead peer trips it. Needs the
     * epoll transport (Linux); elsewhere the option is ignored.
     */
    static final Duration TCP_USER_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Reconnects within a second of Redis coming back, to wherever it came back. Lettuce's default back-off
     * grows to 30 s; and Docker's DNS answers with a 600 s TTL, so with a cached answer a replica would keep
     * dialling a restarted Redis task's old address (dnsrr gives it a new one) for up to ten minutes.
     * With Sentinel the same holds twice over: every reconnect asks a Sentinel where the primary is now, and the
     * Sentinels answer with a hostname, resolved afresh here. The resolver's channels are of the transport that
     * Lettuce runs on (epoll where Netty's native library loads, else NIO): they share its event loops.
     */
    @Bean
    ClientResourcesBuilderCustomizer reconnectQuicklyToWhereRedisIsNow() {
        return RedisConfig::reconnectQuicklyToWhereRedisIsNow;
    }

    @SuppressWarnings("unchecked")
    static void reconnectQuicklyToWhereRedisIsNow(ClientResources.Builder resources) {
        resources.reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .addressResolverGroup(new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(Transports.datagramChannelClass())
                        .socketChannelType((Class<? extends SocketChannel>) Transports.socketChannelClass())
                        .resolveCache(new DefaultDnsCache(0, 1, 0))));
    }

    /** TCP_USER_TIMEOUT beside Boot's connect timeout, and no queueing while disconnected. */
    @Bean
    LettuceClientOptionsBuilderCustomizer dropDeadConnectionsAndRefuseWhileDisconnected(DataRedisProperties redis) {
        return options -> {
            var socket = SocketOptions.builder().tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                    .tcpUserTimeout(TCP_USER_TIMEOUT).build());
            if (redis.getConnectTimeout() != null) {
                socket.connectTimeout(redis.getConnectTimeout());
            }
            // Fail at once while disconnected instead of queueing until the command timeout.
            options.socketOptions(socket.build()).disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        };
    }

    /**
     * MULTI/EXEC and pipelines need a connection of their own, so they borrow from this pool; the connection that
     * plain commands (health, heartbeats, the retirement script) share is taken from it too, once. Two kinds of
     * borrower: the group commit, never more than batchMaxInFlight transactions open, and the cluster view
     * (/cluster and the upkeep), one read at a time (ClusterView). So the pool holds batchMaxInFlight + 2 and no
     * transaction ever waits for a connection that something else took: on a slow Redis (a slow fsync) a
     * transaction that waited its turn would time out in the pool and refuse its requests while Redis is fine.
     * None is opened per request, and none at start, so the service starts while Redis is down. Its size follows
     * BATCH_MAX_IN_FLIGHT; the rest is Boot's spring.data.redis.lettuce.pool.* (a borrower waits at most the
     * connect timeout, application.properties). A connection returned closed is dropped, not lent again.
     */
    @Bean
    LettuceClientConfigurationBuilderCustomizer poolSizedForTheTransactionsInFlight(ServiceProperties props,
            DataRedisProperties redis) {
        requireAckWithinCommandTimeout(props, redis);
        return client -> {
            if (client instanceof LettucePoolingClientConfigurationBuilder pooling) {
                DataRedisProperties.Pool settings = redis.getLettuce().getPool();
                var pool = new GenericObjectPoolConfig<StatefulConnection<?, ?>>();
                pool.setMaxTotal(poolSize(props));
                pool.setMaxIdle(poolSize(props));
                pool.setMinIdle(settings.getMinIdle());
                // A connection the counter closed (it led to a deposed primary, PrimaryFence) fails the pool's
                // validation (isOpen) when it comes back, so the pool drops it and opens a new one.
                pool.setTestOnReturn(true);
                if (settings.getMaxWait() != null) {
                    pool.setMaxWait(settings.getMaxWait());
                }
                if (settings.getTimeBetweenEvictionRuns() != null) {
                    pool.setTimeBetweenEvictionRuns(settings.getTimeBetweenEvictionRuns());
                }
                pooling.poolConfig(pool);
            }
        };
    }

    /** The group commit's transactions, the cluster view's one read, and the shared connection. */
    static int poolSize(ServiceProperties props) {
        return props.batchMaxInFlight() + 2;
    }

    /** WAIT has to answer before Lettuce gives up on the command, or a slow replica would read as a lost Redis. */
    static void requireAckWithinCommandTimeout(ServiceProperties props, DataRedisProperties redis) {
        if (props.ackReplicas(redis.getSentinel() != null) > 0 && redis.getTimeout() != null
                && props.redisAckTimeout().compareTo(redis.getTimeout()) >= 0) {
            throw new IllegalStateException("REDIS_ACK_TIMEOUT must be shorter than REDIS_COMMAND_TIMEOUT "
                    + "(spring.data.redis.timeout): " + props.redisAckTimeout() + " is not below " + redis.getTimeout());
        }
    }

    /** MULTI, INCRBY and EXEC leave in one write: one round trip per transaction. */
    @Bean
    static BeanPostProcessor flushPipelinesOnClose() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof LettuceConnectionFactory factory) {
                    factory.setPipeliningFlushPolicy(PipeliningFlushPolicy.flushOnClose());
                }
                return bean;
            }
        };
    }
}
