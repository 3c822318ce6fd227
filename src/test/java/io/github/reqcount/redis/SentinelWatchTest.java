package io.github.reqcount.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.reqcount.redis.PrimaryGuard.NoPrimaryException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Sentinel messages concern the watched master, and what a watch that has heard nothing yet answers. */
class SentinelWatchTest {

    private final SentinelWatch watch = new SentinelWatch(RedisClient.create(), "reqcount", List.of(), RedisURI.create("redis://localhost"),
            () -> { });

    @Test
    void messagesAboutTheMasterOrItsReplicasConcernIt() {
        assertThat(concerns("+odown", "master reqcount 10.0.0.1 6379 #quorum 2/2")).isTrue();
        assertThat(concerns("+odown", "master other 10.0.0.1 6379 #quorum 2/2")).isFalse();
        assertThat(concerns("+promoted-slave", "slave 10.0.0.2:6379 10.0.0.2 6379 @ reqcount 10.0.0.1 6379"))
                .isTrue();
        assertThat(concerns("+promoted-slave", "slave 10.0.0.2:6379 10.0.0.2 6379 @ other 10.0.0.1 6379"))
                .isFalse();
        assertThat(concerns("+switch-master", "reqcount 10.0.0.1 6379 10.0.0.2 6379")).isTrue();
        assertThat(concerns("+switch-master", "other 10.0.0.1 6379 10.0.0.2 6379")).isFalse();
        assertThat(concerns("+new-epoch", "7")).as("epoch-only messages concern every master").isTrue();
    }

    @Test
    void anAttemptsEpochIsReadFromItsVotesAndItsNewEpoch() {
        assertThat(epoch("+new-epoch", "7")).isEqualTo(7);
        assertThat(epoch("+vote-for-leader", "99b03b5818d8 8")).isEqualTo(8);
        assertThat(epoch("+try-failover", "master reqcount 10.0.0.1 6379")).isZero();
    }

    private static boolean concerns(String channel, String message) {
        return SentinelEvent.of(channel, message).concerns("reqcount");
    }

    private static long epoch(String channel, String message) {
        return SentinelEvent.of(channel, message).epoch();
    }

    @Test
    void beforeAnySentinelAnswersNothingIsTrusted() {
        assertThatThrownBy(watch::current).isInstanceOf(NoPrimaryException.class)
                .hasMessageContaining("not been asked");
    }
}
