package io.github.reqcount.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.epoll.EpollDatagramChannel;
import org.junit.jupiter.api.Test;

/** The Redis client runs on epoll, without which TCP_USER_TIMEOUT (the bound on a dead node's connection) is ignored. */
class RedisConfigTest {

    @Test
    void lettuceRunsOnEpollSoThatDeadConnectionsAreDroppedWithinSeconds() {
        assertThat(EpollProvider.isAvailable()).as("Netty's epoll transport loads on this Linux host").isTrue();
        assertThat(Transports.datagramChannelClass()).as("the DNS resolver shares Lettuce's transport")
                .isEqualTo(EpollDatagramChannel.class);
    }
}
