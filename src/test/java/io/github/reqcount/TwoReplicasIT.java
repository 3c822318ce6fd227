package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Two replicas with their own names share one Redis, as Swarm replicas do. */
class TwoReplicasIT {

    @Test
    void clusterNumbersAreExactlyOneToNAndLocalCountsAddUpToTheTotal() throws Exception {
        RedisServer redis = RedisServer.shared();
        redis.flushAll();
        try (var a = new RunningApp("replica-a", redis); var b = new RunningApp("replica-b", redis)) {
            StringRedisTemplate template = a.bean(StringRedisTemplate.class);

            List<Reply> replies = Traffic.replies(List.of(a.url(), b.url()), 5_000, 32);

            assertThat(replies).extracting(Reply::cluster)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 5_000).boxed().toList());
            Map<String, List<Long>> localsByReplica = replies.stream().collect(
                    Collectors.groupingBy(Reply::instance, Collectors.mapping(Reply::local, Collectors.toList())));
            assertThat(localsByReplica).containsOnlyKeys("replica-a", "replica-b");
            localsByReplica.forEach((replica, locals) -> assertThat(locals).as(replica)
                    .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, locals.size()).boxed().toList()));
            assertThat(localsByReplica.values().stream().mapToInt(List::size).sum()).isEqualTo(5_000);
            assertThat(template.opsForValue().get(RedisKeys.TOTAL)).isEqualTo("5000");
        }
    }
}
