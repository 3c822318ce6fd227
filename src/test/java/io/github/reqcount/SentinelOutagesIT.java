package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.ReplicatedRedis;
import io.github.reqcount.support.ReplicatedRedis.Node;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.util.TestSocketUtils;

/**
 * The Sentinels themselves in odd states: one unreachable from the start, all of them lost, and a master name they
 * don't know. In each the service counts only on a primary that a majority of the Sentinels names, answers a clear
 * 503 otherwise without counting, logs the pause once, and counts again by itself when the Sentinels come back.
 */
@ExtendWith(OutputCaptureExtension.class)
class SentinelOutagesIT {

    static final String PAUSED = "Not counting until the Sentinels agree on a primary again";

    private static ReplicatedRedis redis;

    @BeforeAll
    static void start() {
        redis = new ReplicatedRedis(2, SentinelFailoverIT.DOWN_AFTER, SentinelFailoverIT.FAILOVER_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static RunningApp app(String name, String master, String sentinels) {
        return new RunningApp(name, List.of("--redis-sentinel-master=" + master, "--redis-sentinel-nodes=" + sentinels));
    }

    private static long total() {
        return redis.total(redis.primary());
    }

    @Test
    void oneSentinelUnreachableFromTheStartLeavesAMajorityAndTheServiceCounts() {
        List<String> two = redis.sentinels().stream().limit(2).map(Node::address).toList();
        try (var app = app("one-sentinel-missing", ReplicatedRedis.MASTER,
                String.join(",", two) + ",127.0.0.1:" + TestSocketUtils.findAvailableTcpPort())) {
            long before = total();
            await("200 with two of three Sentinels").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Replies.get(app.url()).statusCode() == 200);
            assertThat(total()).isEqualTo(before + 1);
        }
    }

    @Test
    void withEverySentinelLostTheServiceRefusesCountsNothingLogsOnceAndRecovers(CapturedOutput output) {
        try (var app = app("sentinels-lost", ReplicatedRedis.MASTER, redis.sentinelNodes())) {
            await("200 before").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Replies.get(app.url()).statusCode() == 200);
            int logged = count(output, PAUSED);
            redis.sentinels().forEach(redis::kill);
            try {
                long total = redis.total(redis.redis().get(0));
                await("503 once the Sentinels are gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Replies.get(app.url()).statusCode() == 503);
                for (int i = 0; i < 20; i++) {
                    var reply = Replies.get(app.url());
                    assertThat(reply.statusCode()).isEqualTo(503);
                    assertThat(reply.body()).isEqualTo(
                            "503 Service Unavailable: Redis is unavailable; the request was not counted. Retry shortly.\n");
                    assertThat(reply.headers().firstValue("Retry-After")).hasValue("1");
                }
                assertThat(redis.total(redis.redis().get(0))).as("nothing counted while refused").isEqualTo(total);
                assertThat(Replies.get(app.managementUrl() + "actuator/health/readiness").statusCode())
                        .as("not ready, so an edge sends requests elsewhere").isEqualTo(503);
                assertThat(Replies.get(app.managementUrl() + "actuator/health/liveness").statusCode()).isEqualTo(200);
                assertThat(count(output, PAUSED) - logged).as("the pause logged once").isEqualTo(1);
            } finally {
                redis.sentinels().forEach(redis::restart);
            }
            await("200 again once the Sentinels are back").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).until(() -> Replies.get(app.url()).statusCode() == 200);
        }
    }

    @Test
    void aMasterNameTheSentinelsDontKnowIsRefusedUntilTheyMonitorIt(CapturedOutput output) {
        String master = "unknown-to-them";
        try (var app = app("unknown-master", master, redis.sentinelNodes())) {
            long before = total();
            await("the pause logged").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                    .until(() -> output.getOut().contains(PAUSED + ": the Sentinels do not name a primary for " + master));
            for (int i = 0; i < 10; i++) {
                assertThat(Replies.get(app.url()).statusCode()).isEqualTo(503);
            }
            assertThat(total()).isEqualTo(before);
            assertThat(count(output, PAUSED)).isEqualTo(1);

            Node primary = redis.primary();
            for (Node sentinel : redis.sentinels()) {
                redis.command(sentinel, "sentinel", "monitor", master, "127.0.0.1", String.valueOf(primary.port()), "2");
                redis.command(sentinel, "sentinel", "set", master, "auth-user", "sentinel");
                redis.command(sentinel, "sentinel", "set", master, "auth-pass", ReplicatedRedis.SENTINEL_PASSWORD);
            }
            try {
                await("200 once the Sentinels monitor it").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250)).until(() -> Replies.get(app.url()).statusCode() == 200);
                assertThat(total()).isEqualTo(before + 1);
            } finally {
                redis.sentinels().forEach(s -> redis.command(s, "sentinel", "remove", master));
            }
        }
    }

    private static int count(CapturedOutput output, String text) {
        return (int) Pattern.compile(Pattern.quote(text)).matcher(output.getOut()).results().count();
    }
}
