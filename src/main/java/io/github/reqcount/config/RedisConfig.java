package io.github.reqcount.config;

import io.github.reqcount.redis.PrimaryGuard;
import io.github.reqcount.redis.SentinelWatch;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.Transports;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection.PipeliningFlushPolicy;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;

@Configuration(proxyBeanMethods = false)
class RedisConfig {

    /**
     * Reconnects within a second of Redis coming back, to wherever it came back. Lettuce's default back-off
     * grows to 30 s; and Docker's DNS answers with a 600 s TTL, so with a cached answer a replica would keep
     * dialling a restarted Redis task's old address (dnsrr gives it a new one) for up to ten minutes.
     * With Sentinel the same holds twice over: every reconnect asks a Sentinel where the primary is now, and the
     * Sentinels answer with a hostname, resolved afresh here. The resolver's channels are of the transport that
     * Lettuce runs on (epoll where Netty's native library loads, else NIO): they share its event loops.
     */
    @Bean(destroyMethod = "shutdown")
    ClientResources lettuceClientResources() {
        return resources().build();
    }

    @SuppressWarnings("unchecked")
    static DefaultClientResources.Builder resources() {
        return DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .addressResolverGroup(new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                        .datagramChannelType(Transports.datagramChannelClass())
                        .socketChannelType((Class<? extends SocketChannel>) Transports.socketChannelClass())
                        .resolveCache(new DefaultDnsCache(0, 1, 0))));
    }

    /**
     * When a Redis's node dies, or the network to it is cut, nothing resets the connection: commands time out one
     * after another on a socket that looks open, and Lettuce reconnects (and asks the Sentinels again) only once
     * the kernel gives up, after many minutes. TCP_USER_TIMEOUT bounds that to a few seconds of unacknowledged
     * data. A slow but living Redis still acknowledges at the TCP level, so only a dead peer trips it. Needs the
     * epoll transport (Linux); elsewhere the option is ignored.
     */
    static final Duration TCP_USER_TIMEOUT = Duration.ofSeconds(2);

    @Bean
    LettuceConnectionFactory redisConnectionFactory(ServiceProperties props, ClientResources resources) {
        var client = LettucePoolingClientConfiguration.builder()
                .clientResources(resources)
                .poolConfig(transactionPool(props))
                .commandTimeout(props.redisCommandTimeout())
                .clientOptions(clientOptions(props))
                .build();
        var factory = new LettuceConnectionFactory(server(props), client);
        // MULTI, INCRBY and EXEC leave in one write: one round trip per transaction.
        factory.setPipeliningFlushPolicy(PipeliningFlushPolicy.flushOnClose());
        return factory;
    }

    static ClientOptions clientOptions(ServiceProperties props) {
        return ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(props.redisConnectTimeout())
                        .tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                                .tcpUserTimeout(TCP_USER_TIMEOUT).build())
                        .build())
                // Fail at once while disconnected instead of queueing until the command timeout.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build();
    }

    /**
     * With Sentinel, which primary the counter may count on (see SentinelWatch); with one Redis, any. The watch has
     * a client and resources of its own, so that its reconnects to the Sentinels are not taken for the data
     * connections' reconnects.
     */
    @Bean
    PrimaryGuard primaryGuard(ServiceProperties props, LettuceConnectionFactory factory) {
        if (!props.sentinel()) {
            return PrimaryGuard.ANY;
        }
        ClientResources resources = resources().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        var client = RedisClient.create(resources);
        client.setOptions(clientOptions(props));
        List<RedisURI> sentinels = props.sentinelNodes().stream().map(node -> {
            int colon = node.lastIndexOf(':');
            return loggedIn(props, RedisURI.builder().withHost(node.substring(0, colon))
                    .withPort(Integer.parseInt(node.substring(colon + 1))));
        }).toList();
        return new SentinelWatch(client, props.redisSentinelMaster(), sentinels,
                loggedIn(props, RedisURI.builder().withHost("primary")), factory::resetConnection) {
            @Override
            public void stop() {
                super.stop();
                client.shutdown();
                resources.shutdown();
            }
        };
    }

    /** The service's user and password (the same on the Sentinels and on every Redis), and the command timeout. */
    private static RedisURI loggedIn(ServiceProperties props, RedisURI.Builder uri) {
        uri.withTimeout(props.redisCommandTimeout());
        if (!props.redisPassword().isEmpty()) {
            uri = props.redisUsername().isEmpty() ? uri.withPassword(props.redisPassword().toCharArray())
                    : uri.withAuthentication(props.redisUsername(), props.redisPassword());
        }
        return uri.build();
    }

    /**
     * One Redis at CONTAINER_DB_HOST:PORT, or whichever primary the Sentinels name. Lettuce asks them at every
     * connect and reconnect; the failover itself is theirs. The service's Redis user (REDIS_USERNAME and
     * REDIS_PASSWORD) is the same on every Redis and every Sentinel (deploy/redis-ha/sentinel-start.sh gives the
     * Sentinels that user, allowed only to ask where the primary is).
     */
    static RedisConfiguration server(ServiceProperties props) {
        var password = props.redisPassword().isEmpty() ? RedisPassword.none() : RedisPassword.of(props.redisPassword());
        var username = props.redisUsername().isEmpty() ? null : props.redisUsername();
        if (!props.sentinel()) {
            var server = new RedisStandaloneConfiguration(props.containerDbHost(), props.containerDbPort());
            server.setUsername(username);
            server.setPassword(password);
            return server;
        }
        var sentinel = new RedisSentinelConfiguration().master(props.redisSentinelMaster());
        for (String node : props.sentinelNodes()) {
            int colon = node.lastIndexOf(':');
            sentinel.sentinel(new RedisNode(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
        }
        sentinel.setUsername(username);
        sentinel.setPassword(password);
        sentinel.setSentinelUsername(username);
        sentinel.setSentinelPassword(password);
        return sentinel;
    }

    /**
     * MULTI/EXEC needs a connection of its own, so transactions borrow from this pool; the connection that plain
     * commands (health, reads, heartbeats) share is taken from it too, once. The group commit never has more than
     * batchMaxInFlight transactions open, so the pool holds that many plus the shared one: no connection sits
     * unused, none is opened per request, and none is opened at start, so the service starts while Redis is
     * down. A borrower waits at most the connect timeout.
     */
    private static GenericObjectPoolConfig<StatefulConnection<?, ?>> transactionPool(ServiceProperties props) {
        var pool = new GenericObjectPoolConfig<StatefulConnection<?, ?>>();
        pool.setMaxTotal(props.batchMaxInFlight() + 1);
        pool.setMaxIdle(props.batchMaxInFlight() + 1);
        pool.setMinIdle(0);
        pool.setMaxWait(props.redisConnectTimeout());
        return pool;
    }
}
