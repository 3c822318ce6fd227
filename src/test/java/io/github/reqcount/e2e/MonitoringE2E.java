package io.github.reqcount.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.reqcount.e2e.Prometheus.Sample;
import io.github.reqcount.support.ClusterViews;
import io.github.reqcount.support.Replies;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitoring overlay on a deployed test stack (deployed with MONITORING=true and short scrape and evaluation
 * intervals, e2e.prometheus.interval): Prometheus sees every replica and Redis, its view of the count matches
 * /cluster's, and a hung Redis fires the refusal and Redis-down alerts of deploy/monitoring/alerts.yml, which resolve once
 * Swarm has it back. Prometheus is asked from inside the stack's network; every wait is bounded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitoringE2E {

    /** The for: of CounterRefusing and RedisDown in deploy/monitoring/alerts.yml. */
    private static final Duration FOR = Duration.ofSeconds(30);
    /** The test stack's scrape and evaluation interval. */
    private static final Duration INTERVAL = Duration.ofSeconds(Long.getLong("e2e.prometheus.interval", 5));
    /** After FOR: a scrape and an evaluation to notice, the rate's first samples, the edge's readiness checks. */
    private static final Duration SLACK = INTERVAL.multipliedBy(4).plusSeconds(20);
    private static final List<String> OUTAGE_ALERTS = List.of("CounterRefusing", "RedisDown");

    @Test
    @Order(1)
    @DisplayName("Prometheus reports every counter replica, Redis and the edge (if any) as up")
    void everyTargetUp() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            List<Sample> counters = Prometheus.query("up{job=\"counter\"}");
            assertThat(counters).hasSize(Swarm.REPLICAS).allMatch(s -> s.value() == 1);
            // redis, and with REDIS_HA redis-2 and redis-3 as well.
            assertThat(Prometheus.query("redis_up{job=\"redis\"}")).allMatch(s -> s.value() == 1)
                    .anyMatch(s -> s.labels().get("instance").equals("redis"));
            assertThat(Prometheus.query("up{job=~\"redis|edge|prometheus\"} == 0")).isEmpty();
        });
        List<Sample> replicas = Prometheus.query("max by (replica) (reqcount_requests_served_total{job=\"counter\"})");
        List<Sample> edges = Prometheus.query("up{job=\"edge\"}");
        List<Sample> redis = Prometheus.query("redis_up{job=\"redis\"}");
        Figures.report("%d counter targets up (%s), redis_up 1 for %s, %d edge target(s) up", Swarm.REPLICAS,
                replicas.stream().map(s -> s.labels().get("replica")).sorted().toList(),
                redis.stream().map(s -> s.labels().get("instance")).sorted().toList(), edges.size());
        assertThat(replicas).hasSize(Swarm.REPLICAS);
    }

    @Test
    @Order(2)
    @DisplayName("after traffic, Prometheus's reqcount_cluster_last_known reaches the total /cluster shows")
    void metricsReachTheClusterTotal() {
        int ok = 0;
        for (int i = 0; i < 300; i++) {
            if (Replies.get(Swarm.URL).statusCode() == 200) {
                ok++;
            }
        }
        long total = ClusterViews.read(Swarm.URL).get("total").asLong();
        long started = System.nanoTime();
        await().atMost(INTERVAL.multipliedBy(3).plusSeconds(15)).pollInterval(Duration.ofSeconds(1)).until(() ->
                lastKnown() == total);
        Figures.report("%d x 200 of 300, /cluster total %d, max(reqcount_cluster_last_known) %d after %.1f s", ok, total,
                (long) lastKnown(), (System.nanoTime() - started) / 1e9);
        assertThat(ok).isEqualTo(300);
    }

    @Test
    @Order(3)
    @DisplayName("Redis hung: CounterRefusing and RedisDown fire within their for: window, and resolve once Swarm has Redis back")
    void outageAlertsFireAndResolve() throws Exception {
        // Earlier suites' outages may still be in the rate window: start from no outage alert at all.
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).until(() ->
                OUTAGE_ALERTS.stream().noneMatch(Prometheus.alerts()::containsKey));
        List<String> redis = Swarm.containers("redis");
        assertThat(redis).hasSize(1);

        // SIGSTOP: Redis holds its connections but answers nothing, for longer than the alerts' for:. Then SIGKILL,
        // and Swarm starts a new one.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 4; i++) {
            clients.submit(() -> traffic(stop, refused, answered));
        }
        long t0 = System.nanoTime();
        Map<String, Double> firedAt = new TreeMap<>();
        double killedAt;
        double resolvedAt;
        try {
            Swarm.docker("kill", "--signal", "STOP", redis.get(0));
            await().atMost(FOR.plus(SLACK).plusSeconds(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Map<String, String> alerts = Prometheus.alerts();
                for (String name : OUTAGE_ALERTS) {
                    if ("firing".equals(alerts.get(name))) {
                        firedAt.putIfAbsent(name, seconds(t0));
                    }
                }
                return firedAt.keySet().containsAll(OUTAGE_ALERTS);
            });
            killedAt = seconds(t0);
            Swarm.docker("kill", redis.get(0));
        } finally {
            stop.set(true);
            clients.shutdown();
            clients.awaitTermination(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                !Swarm.containers("redis").isEmpty() && !Swarm.containers("redis").equals(redis)
                        && Replies.get(Swarm.URL).statusCode() == 200);
        double backAt = seconds(t0);
        // The refusal rate is over the last minute: it falls below its threshold within about a minute.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() ->
                OUTAGE_ALERTS.stream().noneMatch(Prometheus.alerts()::containsKey));
        resolvedAt = seconds(t0);
        Figures.report("%d refused and %d answered while hung; fired after %s s (for: %d s), SIGKILL at %.0f s, Redis back"
                        + " at %.0f s, both resolved at %.0f s", refused.get(), answered.get(), firedAt, FOR.toSeconds(),
                killedAt, backAt, resolvedAt);
        assertThat(firedAt.values()).allMatch(s -> s >= FOR.toSeconds() && s <= FOR.plus(SLACK).toSeconds());
        assertThat(refused.get()).isPositive();
    }

    private static double lastKnown() {
        List<Sample> max = Prometheus.query("max(reqcount_cluster_last_known{job=\"counter\"})");
        return max.isEmpty() ? -1 : max.get(0).value();
    }

    private static double seconds(long since) {
        return Math.round((System.nanoTime() - since) / 1e8) / 10.0;
    }

    /** Requests to the published port until told to stop (at most 5 minutes), counting 503s and 200s. */
    private static void traffic(AtomicBoolean stop, AtomicInteger refused, AtomicInteger answered) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!stop.get() && System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(Swarm.URL))
                        .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.discarding());
                (response.statusCode() == 503 ? refused : answered).incrementAndGet();
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // a timeout or a refused connection: try again
            }
        }
    }
}
