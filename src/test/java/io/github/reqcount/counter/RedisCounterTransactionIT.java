package io.github.reqcount.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.reqcount.redis.PrimaryGuard;
import io.github.reqcount.redis.PrimaryGuard.NoPrimaryException;
import io.github.reqcount.redis.PrimaryGuard.Primary;
import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.config.RedisConfig;
import io.github.reqcount.config.ServiceProperties;
import io.github.reqcount.support.RedisServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.test.autoconfigure.DataRedisTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The transaction with and without WAIT, and its checks of the primary, on a real Redis that has no replicas: Boot's
 * Redis configuration with the service's (RedisConfig), as the service's Redis user, and no web server.
 */
@DataRedisTest
@EnableConfigurationProperties(ServiceProperties.class)
@Import(RedisConfig.class)
class RedisCounterTransactionIT {

    private static final RedisServer redis = RedisServer.shared();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        redis.asServiceUser(registry);
    }

    @Autowired
    private StringRedisTemplate template;
    private final AtomicInteger resets = new AtomicInteger();

    @BeforeEach
    void freshRedis() {
        redis.flushAll();
    }

    private RedisCounterTransaction transaction(int ackReplicas, PrimaryGuard guard) {
        return new RedisCounterTransaction(template, "tx-replica", ackReplicas, Duration.ofMillis(50), guard,
                resets::incrementAndGet);
    }

    private String total() {
        return template.opsForValue().get(RedisKeys.TOTAL);
    }

    @Test
    void withoutAcksTheNewTotalIsConfirmedByExecAlone() {
        var transaction = transaction(0, PrimaryGuard.ANY);
        assertThat(transaction.add(3)).isEqualTo(3);
        assertThat(transaction.add(2)).isEqualTo(5);
    }

    @Test
    void whenWaitFallsShortTheBatchIsRefusedAndItsNumbersBecomeAGap() {
        assertThatThrownBy(() -> transaction(1, PrimaryGuard.ANY).add(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Only 0 of 1 replicas confirmed the total 4");
        // Applied on the primary, refused to the clients: the next batch starts after it.
        assertThat(total()).isEqualTo("4");
        assertThat(transaction(0, PrimaryGuard.ANY).add(1)).isEqualTo(5);
    }

    @Test
    void withNoTrustedPrimaryNothingIsSentAndNothingCounted() {
        var none = guard(() -> {
            throw new NoPrimaryException("no trusted primary: only 1 of 3 Sentinels answer, 2 are needed");
        }, true);
        assertThatThrownBy(() -> transaction(0, none).add(2)).isInstanceOf(NoPrimaryException.class)
                .hasMessageContaining("only 1 of 3 Sentinels answer");
        assertThat(total()).isNull();
    }

    @Test
    void aConnectionToAnotherRedisThanTheTrustedPrimaryIsRefusedAndReplaced() {
        var elsewhere = guard(() -> new Primary(1, "0000000000000000000000000000000000000000"), true);
        assertThatThrownBy(() -> transaction(0, elsewhere).add(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not to the primary the Sentinels name");
        assertThat(total()).as("nothing counted on the wrong Redis").isNull();
        assertThat(resets).as("the shared connection reset too").hasValue(1);

        // The connection reconnects (asking the Sentinels, where there are some); the trusted primary is this Redis.
        String runId = runId();
        var here = guard(() -> new Primary(2, runId), true);
        assertThat(once(() -> transaction(0, here).add(2))).isEqualTo(2);
    }

    @Test
    void aFailoverAnnouncedWhileTheBatchIsInFlightRefusesItAndLeavesAGap() {
        var moved = guard(() -> new Primary(1, null), false);
        assertThatThrownBy(() -> transaction(0, moved).add(3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("A failover was announced while the total 3 was in flight");
        assertThat(total()).isEqualTo("3");
    }

    /**
     * A promoted replica that lacks the tail its old primary acknowledged holds a lower total. The first batch this
     * instance sends to a Redis it has not counted on (a new run_id: here the same Redis restarted with its total
     * set back, as the promoted replica would hold it) skips past the highest number it handed out.
     */
    @Test
    @DirtiesContext // its connections reconnect after the kill; the next test starts on fresh ones
    void onANewRedisWithALowerTotalTheFirstBatchSkipsPastTheHighestNumberHandedOut() {
        var transaction = transaction(0, PrimaryGuard.ANY);
        assertThat(transaction.add(10)).isEqualTo(10);

        redis.cli("admin", RedisServer.ADMIN_PASSWORD, "set", RedisKeys.TOTAL, "3");
        assertThat(transaction.add(1)).as("the same Redis: no skip").isEqualTo(4);
        redis.kill();
        redis.start();
        redis.cli("admin", RedisServer.ADMIN_PASSWORD, "set", RedisKeys.TOTAL, "3");

        long last = once(() -> transaction.add(2));
        assertThat(last - 1).as("the first of the two numbers comes after the highest handed out (10)")
                .isGreaterThan(10);
        assertThat(transaction.add(1)).isEqualTo(last + 1);
    }

    /**
     * The first successful attempt: while the connection reconnects, attempts are refused before anything is sent
     * ("Currently not connected"), as the service's retry and its 503s cover.
     */
    private static long once(java.util.concurrent.Callable<Long> add) {
        return org.awaitility.Awaitility.await("a connected attempt").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(add, total -> total > 0);
    }

    private String runId() {
        return redis.cli("admin", RedisServer.ADMIN_PASSWORD, "info", "server").lines()
                .filter(l -> l.startsWith("run_id:")).map(l -> l.substring(7).trim()).findFirst().orElseThrow();
    }

    private static PrimaryGuard guard(java.util.function.Supplier<Primary> current, boolean unchanged) {
        return new PrimaryGuard() {
            @Override
            public Primary current() {
                return current.get();
            }

            @Override
            public boolean unchanged(Primary primary) {
                return unchanged;
            }
        };
    }
}
