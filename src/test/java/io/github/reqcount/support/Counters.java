package io.github.reqcount.support;

import io.github.reqcount.counter.RedisCounterTransaction;
import io.github.reqcount.redis.PrimaryGuard;
import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The counter's Redis transaction for any replica name, as the service runs it on one Redis (no WAIT). */
public final class Counters {

    private Counters() {
    }

    public static RedisCounterTransaction transaction(StringRedisTemplate template, String replica) {
        return new RedisCounterTransaction(template, replica, 0, Duration.ofMillis(100), PrimaryGuard.ANY, () -> { });
    }
}
