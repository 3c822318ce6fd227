package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.ClusterViews;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** /cluster and /actuator/prometheus against a real Redis shared by two replicas. */
class ClusterViewIT {

    private static final RedisServer redis = RedisServer.shared();

    @BeforeEach
    void freshCluster() {
        redis.flushAll();
    }

    @Test
    void listsEachReplicaWithCountsThatAddUpAndShowsAStoppedOneAsGone() throws Exception {
        try (var a = new RunningApp("replica-a", redis, "--heartbeat-ttl=2s")) {
            var b = new RunningApp("replica-b", redis, "--heartbeat-ttl=2s");
            try {
                Traffic.replies(List.of(a.url(), b.url(), a.url()), 900, 16);
                JsonNode view = cluster(a.url());
                assertThat(view.get("total").asLong()).isEqualTo(900);
                assertThat(view.get("unattributed").asLong()).isZero();
                assertThat(view.get("consistent").asBoolean()).isTrue();
                assertThat(view.get("replicas")).extracting(r -> r.get("name").asString())
                        .containsExactly("replica-a", "replica-b");
                assertThat(view.get("replicas")).extracting(r -> r.get("requests").asLong()).containsExactly(600L, 300L);
                assertThat(view.get("replicas")).allSatisfy(r -> assertThat(r.get("live").asBoolean()).isTrue());
            } finally {
                b.close();
            }

            JsonNode afterStop = ClusterViews.await(a.url(), v -> !v.get("replicas").get(1).get("live").asBoolean(),
                    Duration.ofSeconds(15));
            assertThat(afterStop.get("replicas").get(1).get("requests").asLong()).as("a gone replica keeps its count")
                    .isEqualTo(300);
            assertThat(afterStop.get("replicas").get(0).get("live").asBoolean()).isTrue();
            assertThat(Replies.get(a.url()).statusCode()).as("reading /cluster counted nothing").isEqualTo(200);
            assertThat(cluster(a.url()).get("total").asLong()).isEqualTo(901);
        }
    }

    @Test
    void aTotalThatPredatesTheReplicaFieldsIsShownAsUnattributed() throws Exception {
        try (var a = new RunningApp("replica-a", redis)) {
            redis.cli("admin", RedisServer.ADMIN_PASSWORD, "set", RedisKeys.TOTAL, "1000");
            Traffic.replies(List.of(a.url()), 10, 2);

            JsonNode view = cluster(a.url());
            assertThat(view.get("total").asLong()).isEqualTo(1010);
            assertThat(view.get("replicas").get(0).get("requests").asLong()).isEqualTo(10);
            assertThat(view.get("unattributed").asLong()).isEqualTo(1000);
            assertThat(view.get("consistent").asBoolean()).isFalse();
        }
    }

    @Test
    void onASlowRedisTheHeartbeatAndClusterReadsTakeNoConnectionThatATransactionNeeds() throws Exception {
        // One transaction in flight, heartbeats three times a second, and Redis holding every write for 2 s (as a
        // slow fsync does): the transaction, the heartbeat and /cluster all wait on Redis at once. Each must have a
        // connection of its own, or a borrower times out in the pool and a request is refused while Redis is fine.
        try (var a = new RunningApp("replica-a", redis, "--batch-max-in-flight=1", "--heartbeat-ttl=1s",
                "--redis-command-timeout=5s")) {
            assertThat(Replies.get(a.url()).statusCode()).isEqualTo(200);
            redis.cli("admin", RedisServer.ADMIN_PASSWORD, "client", "pause", "2000", "write");
            var counted = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            var views = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            ExecutorService threads = Executors.newFixedThreadPool(8);
            for (int i = 0; i < 4; i++) {
                counted.add(CompletableFuture.supplyAsync(() -> Replies.get(a.url()), threads));
                views.add(CompletableFuture.supplyAsync(() -> Replies.get(a.url() + "cluster"), threads));
            }
            threads.shutdown();
            assertThat(counted).extracting(r -> r.join().statusCode()).as("GET / while writes wait")
                    .containsOnly(200);
            assertThat(views).extracting(r -> r.join().statusCode()).as("/cluster while writes wait")
                    .containsOnly(200);
            assertThat(cluster(a.url()).get("total").asLong()).isEqualTo(5);
        }
    }

    @Test
    void clusterIs503WhileRedisIsDown() throws Exception {
        try (var a = new RunningApp("replica-a", redis)) {
            redis.stop();
            try {
                HttpResponse<String> refused = Replies.get(a.url() + "cluster");
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.body()).startsWith("503 Service Unavailable: Redis is unavailable");
            } finally {
                redis.start();
            }
        }
    }

    @Test
    void prometheusShowsServedRefusedTransactionsAndBatchesTaggedByReplica() throws Exception {
        try (var a = new RunningApp("replica-a", redis)) {
            Traffic.replies(List.of(a.url()), 50, 4);
            String metrics = Replies.get(a.managementUrl() + "actuator/prometheus").body();

            assertThat(metrics)
                    .contains("reqcount_requests_served_total{application=\"replicas-reqcount\",instance=\"replica-a\"} 50.0")
                    .contains("reqcount_requests_refused_total{application=\"replicas-reqcount\",instance=\"replica-a\"} 0.0")
                    .contains("reqcount_batch_size_sum{application=\"replicas-reqcount\",instance=\"replica-a\"} 50.0")
                    .contains("reqcount_redis_transaction_seconds_count")
                    .contains("reqcount_cluster_last_known{application=\"replicas-reqcount\",instance=\"replica-a\"} 50.0");
            assertThat(Replies.get(a.managementUrl() + "actuator/env").statusCode()).as("only health, info and prometheus")
                    .isEqualTo(404);
            assertThat(Replies.get(a.managementUrl() + "actuator/metrics").statusCode()).isEqualTo(404);
        }
    }

    private static JsonNode cluster(String url) {
        return ClusterViews.read(url);
    }
}
