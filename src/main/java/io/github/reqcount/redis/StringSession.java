package io.github.reqcount.redis;

import java.util.function.Function;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;

/** A {@link SessionCallback} for a StringRedisTemplate, without the generic ceremony at every call. */
public final class StringSession {

    private StringSession() {
    }

    public static <T> SessionCallback<T> of(Function<RedisOperations<String, String>, T> body) {
        return new SessionCallback<>() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> T execute(RedisOperations<K, V> operations) {
                return body.apply((RedisOperations<String, String>) operations);
            }
        };
    }
}
