package io.github.reqcount.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** GET /async, the benchmark's non-blocking variant: numbers as exact and unique as GET /'s under concurrency. */
class AsyncCountControllerIT {

    @Test
    void clusterAndLocalNumbersAreExactlyOneToN() throws Exception {
        RedisServer redis = RedisServer.shared();
        redis.flushAll();
        try (var app = new RunningApp("replica-a", redis, "--spring.profiles.active=bench")) {
            List<Reply> replies = Traffic.replies(List.of(app.url() + "async"), 3_000, 32);

            List<Long> oneToN = LongStream.rangeClosed(1, 3_000).boxed().toList();
            assertThat(replies).extracting(Reply::cluster).containsExactlyInAnyOrderElementsOf(oneToN);
            assertThat(replies).extracting(Reply::local).containsExactlyInAnyOrderElementsOf(oneToN);
            assertThat(app.bean(StringRedisTemplate.class).opsForValue().get(RedisKeys.TOTAL)).isEqualTo("3000");
        }
    }
}
