package io.github.reqcount.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.RunningApp;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The transaction with and without WAIT, on a real Redis that has no replicas. */
class RedisCounterTransactionIT {

    private static final RedisServer redis = RedisServer.shared();

    private RunningApp app;
    private StringRedisTemplate template;

    @BeforeEach
    void freshRedis() {
        redis.flushAll();
        app = new RunningApp("tx-replica", redis);
        template = app.bean(StringRedisTemplate.class);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void withoutAcksTheNewTotalIsConfirmedByExecAlone() {
        var transaction = new RedisCounterTransaction(template, "tx-replica", 0, Duration.ofMillis(100));
        assertThat(transaction.add(3)).isEqualTo(3);
        assertThat(transaction.add(2)).isEqualTo(5);
    }

    @Test
    void whenWaitFallsShortTheBatchIsRefusedAndItsNumbersBecomeAGap() {
        var transaction = new RedisCounterTransaction(template, "tx-replica", 1, Duration.ofMillis(50));

        assertThatThrownBy(() -> transaction.add(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Only 0 of 1 replicas confirmed the total 4");
        // Applied on the primary, refused to the clients: the next batch starts after it.
        assertThat(template.opsForValue().get(RedisKeys.TOTAL)).isEqualTo("4");
        assertThat(new RedisCounterTransaction(template, "tx-replica").add(1)).isEqualTo(5);
    }

}
