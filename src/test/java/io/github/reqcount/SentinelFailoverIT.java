package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.support.ReplicatedRedis;
import io.github.reqcount.support.ReplicatedRedis.Node;
import io.github.reqcount.support.Replies.Reply;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import io.github.reqcount.support.Traffic.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service pointed at three Sentinels over a primary and two replicas (as in the Swarm stack), under a steady
 * load, while the primary is SIGKILLed five times in a row, each time once the previous failover is over and the
 * killed Redis is back as a replica. Among all 200s no number repeats, and after every failover the new primary's
 * total is at least the highest number served: no acknowledged number was lost. Prints each failover's window,
 * from the first refused request to the first 200 after it. And losing one of the two replicas refuses nothing:
 * the other one confirms every batch.
 */
class SentinelFailoverIT {

    /** The stack's settings (deploy/stack/ha.yml): down-after-milliseconds and failover-timeout. */
    static final Duration DOWN_AFTER = Duration.ofMillis(1500);
    static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(10);
    static final int KILLS = 5;

    private static ReplicatedRedis redis;
    private static RunningApp app;

    @BeforeAll
    static void start() {
        redis = new ReplicatedRedis(2, DOWN_AFTER, FAILOVER_TIMEOUT);
        app = new RunningApp("ha-replica", List.of(
                "--redis-sentinel-master=" + ReplicatedRedis.MASTER,
                "--redis-sentinel-nodes=" + redis.sentinelNodes()));
    }

    @AfterAll
    static void stop() {
        app.close();
        redis.close();
    }

    @Test
    void losingOneOfTwoReplicasRefusesNothing() throws Exception {
        Node replica = redis.redis().stream().filter(r -> !r.equals(redis.primary())).findFirst().orElseThrow();
        try (var traffic = new Traffic(List.of(app.url()), 8, 2_000_000, Duration.ofSeconds(30), 1)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> traffic.served() >= 100);
            redis.kill(replica);
            long servedAtKill = traffic.served();
            await("200s with one replica left").atMost(Duration.ofSeconds(20))
                    .until(() -> traffic.served() >= servedAtKill + 300);
            redis.restart(replica);
            await("the replica back in sync").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> redis.inSync(replica));
            List<Outcome> outcomes = traffic.stop();
            long refused = outcomes.stream().filter(o -> !o.ok()).count();
            System.out.printf("[replica lost] %d requests while %s was down and back, %d refused%n",
                    outcomes.size(), replica.address(), refused);
            assertThat(refused).as("requests refused while one replica was down").isZero();
        }
    }

    @Test
    void killingThePrimaryNeverRepeatsOrLosesAnAcknowledgedNumber() throws Exception {
        try (var traffic = new Traffic(List.of(app.url()), 8, 2_000_000, Duration.ofSeconds(240), 1)) {
            List<Long> kills = new ArrayList<>();
            for (int round = 1; round <= KILLS; round++) {
                if (round > 1) {
                    // A Sentinel starts no failover of a master within twice failover-timeout of its last one: a
                    // kill sooner gets no failover, and the killed Redis comes back as primary with its own data.
                    long allowed = kills.get(round - 2) + FAILOVER_TIMEOUT.multipliedBy(2).plusSeconds(2).toNanos();
                    Thread.sleep(Math.max(0, (allowed - System.nanoTime()) / 1_000_000));
                }
                long servedBefore = traffic.served();
                await("200s flowing before kill " + round).atMost(Duration.ofSeconds(20))
                        .until(() -> traffic.served() >= servedBefore + 100);
                Node primary = redis.primary();
                kills.add(System.nanoTime());
                redis.kill(primary);
                Thread.sleep(1_000);        // Swarm's restart delay for the Redis tasks
                redis.restart(primary);

                Node promoted = await("a replica promoted after kill " + round).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(redis::primary, p -> !p.equals(primary));
                double promotedAfter = (System.nanoTime() - kills.get(round - 1)) / 1e9;
                long servedAfterKill = traffic.served();
                await("200s again after kill " + round).atMost(Duration.ofSeconds(30))
                        .until(() -> traffic.served() > servedAfterKill);
                await("the killed Redis back as a replica after kill " + round).atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> redis.redis().stream().filter(r -> !r.equals(promoted)).allMatch(redis::inSync));

                long highest = highestServed(traffic.snapshot());
                long total = redis.total(promoted);
                System.out.printf("[failover %d] %s -> %s, promotion seen after %.2f s; highest number served %d,"
                        + " new primary's total %d, %d refused so far%n", round, primary.address(), promoted.address(),
                        promotedAfter, highest, total, traffic.refused());
                assertThat(total).as("total after failover %d >= highest number served", round).isGreaterThanOrEqualTo(highest);
            }
            List<Outcome> outcomes = traffic.stop();

            List<Long> numbers = outcomes.stream().filter(Outcome::ok).map(o -> o.reply().cluster()).toList();
            Map<Long, Long> repeated = numbers.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                    .entrySet().stream().filter(e -> e.getValue() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            long finalTotal = redis.total(redis.primary());
            List<Double> windows = windows(outcomes, kills);
            List<Double> sorted = windows.stream().sorted().toList();
            System.out.printf("[failover] %d requests, %d x 200, %d refused, %d repeated numbers, highest %d, total %d%n",
                    outcomes.size(), numbers.size(), outcomes.size() - numbers.size(), repeated.size(),
                    highestServed(outcomes), finalTotal);
            System.out.printf("[failover] windows (first non-200 to first 200) s: %s; median %.2f s%n",
                    windows.stream().map(w -> String.format("%.2f", w)).toList(), sorted.get(sorted.size() / 2));

            assertThat(repeated).as("numbers served twice").isEmpty();
            assertThat(finalTotal).isGreaterThanOrEqualTo(highestServed(outcomes));
            assertThat(windows).as("a 200 again after every kill").hasSize(KILLS).doesNotContain(Double.NaN);
        }
    }

    private static long highestServed(List<Outcome> outcomes) {
        return outcomes.stream().filter(Outcome::ok).map(Outcome::reply).mapToLong(Reply::cluster).max().orElse(0);
    }

    /** For each kill, in seconds: its refusal window, up to the next kill. */
    private static List<Double> windows(List<Outcome> outcomes, List<Long> kills) {
        return IntStream.range(0, kills.size()).mapToObj(i -> Traffic.refusalWindow(outcomes, kills.get(i),
                i + 1 < kills.size() ? kills.get(i + 1) : Long.MAX_VALUE)).toList();
    }
}
