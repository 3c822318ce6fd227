package io.github.reqcount;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.RedisKeys;
import io.github.reqcount.support.ClusterViews;
import io.github.reqcount.support.RedisServer;
import io.github.reqcount.support.Replies;
import io.github.reqcount.support.RunningApp;
import io.github.reqcount.support.Traffic;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Least privilege, against a real Redis running the repository's ACL (deploy/redis/users.acl): the service's user can do
 * all the service does and nothing that could erase or rewrite the count; Actuator answers only on the management
 * port.
 */
class SecurityIT {

    private static final RedisServer redis = RedisServer.shared();

    @BeforeEach
    void freshCluster() {
        redis.flushAll();
    }

    private static String asService(String... command) {
        return redis.cli(RedisServer.USER, RedisServer.PASSWORD, command);
    }

    @Test
    void theServiceWorksEndToEndThroughItsOwnUser() throws Exception {
        try (var a = new RunningApp("replica-a", redis)) {
            assertThat(Traffic.replies(List.of(a.url()), 200, 8)).extracting(Replies.Reply::cluster)
                    .doesNotHaveDuplicates().hasSize(200);
            var view = ClusterViews.await(a.url(), v -> v.get("replicas").size() == 1
                    && v.get("replicas").get(0).get("live").asBoolean(), java.time.Duration.ofSeconds(15));
            assertThat(view.get("total").asLong()).isEqualTo(200);
            assertThat(Replies.get(a.managementUrl() + "actuator/health/readiness").statusCode())
                    .as("readiness checks Redis through the service's user").isEqualTo(200);
        }
        assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "get", RedisKeys.TOTAL)).contains("200");
    }

    @Test
    void theServicesUserCannotEraseOrRewriteTheCount() {
        assertThat(asService("incrby", RedisKeys.TOTAL, "5")).contains("5");

        assertThat(asService("flushall")).startsWith("NOPERM");
        assertThat(asService("flushdb")).startsWith("NOPERM");
        assertThat(asService("config", "set", "appendonly", "no")).startsWith("NOPERM");
        assertThat(asService("del", RedisKeys.TOTAL)).startsWith("NOPERM");
        assertThat(asService("set", RedisKeys.TOTAL, "0")).startsWith("NOPERM");
        assertThat(asService("hset", RedisKeys.REPLICA_COUNTS, "replica-a", "0")).startsWith("NOPERM");
        assertThat(asService("keys", "*")).startsWith("NOPERM");
        // DEBUG is refused before the ACL is consulted, so ask the ACL itself.
        assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "acl", "dryrun", RedisServer.USER, "debug", "sleep", "0"))
                .contains("no permissions");
        assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "acl", "dryrun", RedisServer.USER, "incrby",
                RedisKeys.TOTAL, "1")).contains("OK");

        assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "get", RedisKeys.TOTAL)).contains("5");
    }

    @Test
    void theFoldOfAGoneReplicaMayRemoveOnlyItsFieldsAndMoveOnlyTheRetiredCount() {
        // What ReplicaRetirement's script runs, and nothing beside it on those keys.
        assertThat(dryRun("evalsha", "0000000000000000000000000000000000000000", "4", RedisKeys.REPLICA_COUNTS,
                RedisKeys.REPLICA_SEEN, RedisKeys.RETIRED, RedisKeys.alive("gone"), "gone", "0")).contains("OK");
        assertThat(dryRun("hdel", RedisKeys.REPLICA_COUNTS, "gone")).contains("OK");
        assertThat(dryRun("hdel", RedisKeys.REPLICA_SEEN, "gone")).contains("OK");
        assertThat(dryRun("incrby", RedisKeys.RETIRED, "7")).contains("OK");
        assertThat(dryRun("hget", RedisKeys.REPLICA_COUNTS, "gone")).contains("OK");
        assertThat(dryRun("exists", RedisKeys.alive("gone"))).contains("OK");

        assertThat(dryRun("hdel", RedisKeys.alive("gone"), "x")).contains("no permissions");
        assertThat(dryRun("del", RedisKeys.RETIRED)).contains("no permissions");
        assertThat(dryRun("set", RedisKeys.RETIRED, "0")).contains("no permissions");
        assertThat(dryRun("del", RedisKeys.alive("gone"))).contains("no permissions");
        assertThat(dryRun("eval", "return 1", "1", "some_other_key")).contains("no permissions");
        assertThat(dryRun("eval", "return 1", "1", RedisKeys.TOTAL)).contains("no permissions");
        // A script runs with the user's rights: on the keys it may name, it can't do what the user can't.
        assertThat(asService("incrby", RedisKeys.RETIRED, "5")).contains("5");
        assertThat(asService("eval", "return redis.call('del', KEYS[1])", "1", RedisKeys.RETIRED))
                .containsAnyOf("NOPERM", "can't run this command", "can't access");
        assertThat(asService("eval", "return redis.call('set', KEYS[1], '0')", "1", RedisKeys.RETIRED))
                .containsAnyOf("NOPERM", "can't run this command", "can't access");
        assertThat(asService("eval", "return redis.call('hset', KEYS[1], 'x', '0')", "1", RedisKeys.REPLICA_COUNTS))
                .containsAnyOf("NOPERM", "can't run this command", "can't access");
        assertThat(redis.cli("admin", RedisServer.ADMIN_PASSWORD, "get", RedisKeys.RETIRED)).contains("5");
    }

    private static String dryRun(String... command) {
        var args = new java.util.ArrayList<>(List.of("acl", "dryrun", RedisServer.USER));
        args.addAll(List.of(command));
        return redis.cli("admin", RedisServer.ADMIN_PASSWORD, args.toArray(String[]::new));
    }

    @Test
    void withoutAUserRedisRefusesEverything() {
        assertThat(redis.cli("default", "", "get", RedisKeys.TOTAL)).containsAnyOf("NOAUTH", "WRONGPASS");
        assertThat(redis.cli(RedisServer.USER, "not-the-password", "ping")).contains("WRONGPASS");
    }

    @ParameterizedTest
    @ValueSource(strings = {"actuator/prometheus", "actuator/health", "actuator/health/readiness", "actuator"})
    void actuatorIsOnlyOnTheManagementPort(String path) {
        try (var a = new RunningApp("replica-a", redis)) {
            assertThat(Replies.get(a.url() + path).statusCode()).as("public port: " + path).isEqualTo(404);
            assertThat(Replies.get(a.managementUrl() + path).statusCode()).as("management port: " + path).isEqualTo(200);
        }
    }
}
