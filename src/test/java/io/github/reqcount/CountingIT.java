package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.Traffic;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One replica against a real Redis: the exact replies, group commit, outages and restarts. Each test has a replica
 * of its own, whose local count starts at 1, on a fresh cluster.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"instance-name=it-replica", "management.server.port=0"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class CountingIT {

    private static final RedisServer redis = RedisServer.shared();

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        redis.asServiceUser(registry);
    }

    @LocalServerPort
    private int port;
    @LocalManagementPort
    private int managementPort;
    @Autowired
    private StringRedisTemplate template;
    @Autowired
    private MeterRegistry meters;

    @BeforeEach
    void freshCluster() {
        redis.flushAll();
    }

    private String url() {
        return "http://localhost:" + port + "/";
    }

    private String managementUrl() {
        return "http://localhost:" + managementPort + "/";
    }

    @Test
    void theFirstThreeRepliesAreExact() {
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> response = Replies.get(url());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
            assertThat(response.body()).isEqualTo("You are talking to instance it-replica:8083.\n"
                    + "This is request " + i + " to this instance and request " + i + " to the cluster.\n");
        }
        assertThat(total()).isEqualTo(3);
    }

    @Test
    void concurrentClientsAreBatchedAndGetExactlyOneToN() throws Exception {
        List<Reply> replies = Traffic.replies(List.of(url()), 3_000, 64);

        assertThat(replies).extracting(Reply::cluster)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 3_000).boxed().toList());
        assertThat(replies).extracting(Reply::local)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 3_000).boxed().toList());
        assertThat(total()).isEqualTo(3_000);
        var batches = meters.get("reqcount.batch.size").summary();
        assertThat(batches.totalAmount()).isEqualTo(3_000);
        assertThat(batches.max()).as("largest batch").isGreaterThan(1);
        assertThat(batches.count()).as("transactions").isLessThan(3_000);
    }

    @Test
    void atConcurrencyOneEveryRequestHasItsOwnTransaction() {
        long transactionsBefore = incrbyCalls();
        for (int i = 0; i < 20; i++) {
            assertThat(Replies.get(url()).statusCode()).isEqualTo(200);
        }
        assertThat(incrbyCalls() - transactionsBefore).isEqualTo(20);
        assertThat(meters.get("reqcount.batch.size").summary().max()).isEqualTo(1);
    }

    @Test
    void whileRedisIsDownRequestsGet503AndCountNothingThenCountingResumes() throws Exception {
        assertThat(Replies.parse(Replies.get(url()).body())).isEqualTo(new Reply("it-replica", 1, 1));
        redis.stop();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> refused = Replies.get(url());
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(refused.body()).startsWith("503 Service Unavailable: Redis is unavailable");
            }
            assertThat(Replies.get(managementUrl() + "actuator/health/readiness").statusCode()).isEqualTo(503);
            assertThat(Replies.get(managementUrl() + "actuator/health/liveness").statusCode()).isEqualTo(200);
        } finally {
            redis.start();
        }

        Reply next = Replies.parse(firstSuccess().body());
        assertThat(next).as("nothing counted during the outage").isEqualTo(new Reply("it-replica", 2, 2));
        assertThat(total()).isEqualTo(2);
        assertThat(Replies.get(managementUrl() + "actuator/health/readiness").statusCode()).isEqualTo(200);
    }

    @Test
    void theTotalSurvivesRedisBeingKilledAndRestarted() throws Exception {
        Traffic.replies(List.of(url()), 100, 8);
        redis.kill();
        redis.start();

        Reply next = Replies.parse(firstSuccess().body());
        assertThat(next.cluster()).as("AOF replayed the acknowledged total").isEqualTo(101);
        assertThat(next.local()).isEqualTo(101);
    }

    /** Polls GET / for up to 15 s (refused requests count nothing) and returns the first 200. */
    private HttpResponse<String> firstSuccess() {
        return await("a 200 within 15 s of Redis coming back").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100)).until(() -> Replies.get(url()), r -> r.statusCode() == 200);
    }

    private long total() {
        return Long.parseLong(template.opsForValue().get(RedisKeys.TOTAL));
    }

    /**
     * The counting transactions Redis has run: each has one INCRBY total_count. Not EXEC, since the upkeep's read
     * of the cluster (ClusterUpkeep, on the heartbeat's schedule) is a MULTI/EXEC too.
     */
    private long incrbyCalls() {
        Properties stats = template.execute((RedisCallback<Properties>) c -> c.serverCommands().info("commandstats"));
        String incrby = stats.getProperty("cmdstat_incrby", "calls=0,");
        return Long.parseLong(incrby.substring(incrby.indexOf("calls=") + 6, incrby.indexOf(',')));
    }
}
