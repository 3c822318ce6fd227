package io.github.reqcount.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.redis.SentinelQuorum.Attempt;
import io.github.reqcount.redis.SentinelQuorum.Report;
import io.github.reqcount.redis.SentinelQuorum.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule that says when a primary can be trusted, on hand-made Sentinel reports. */
class SentinelQuorumTest {

    static final long NOW = Duration.ofMinutes(10).toNanos();

    static Report report(String address, String runId, String flags, long epoch) {
        return report(address, runId, flags, epoch, null);
    }

    static Report report(String address, String runId, String flags, long epoch, String sentinel) {
        int colon = address.indexOf(':');
        return Report.of(Map.of("ip", address.substring(0, colon), "port", address.substring(colon + 1), "runid", runId,
                "flags", flags, "config-epoch", String.valueOf(epoch), "failover-timeout", "10000"), sentinel);
    }

    static Verdict decide(List<Report> reachable, Attempt attempt) {
        return SentinelQuorum.decide("reqcount", 3, reachable, attempt, NOW);
    }

    static final Report OLD = report("redis:6379", "aaaa", "master", 4);
    static final Report NEW = report("redis-2:6379", "bbbb", "master", 5);

    @Test
    void aMajorityNamingOnePrimaryIsTrusted() {
        Verdict verdict = decide(List.of(OLD, OLD), null);
        assertThat(verdict.trusted()).isTrue();
        assertThat(verdict.address()).isEqualTo("redis:6379");
        assertThat(verdict.configEpoch()).isEqualTo(4);
    }

    @Test
    void fewerThanAMajorityReachableTrustsNothing() {
        assertThat(decide(List.of(OLD), null).reason()).isEqualTo("only 1 of 3 Sentinels answer, 2 are needed");
        assertThat(decide(List.of(), null).trusted()).isFalse();
    }

    @Test
    void twoReachableSentinelsThatDisagreeTrustNothing() {
        Verdict verdict = decide(List.of(OLD, NEW), null);
        assertThat(verdict.trusted()).isFalse();
        assertThat(verdict.reason()).startsWith("no 2 Sentinels agree on a primary for reqcount");
    }

    @Test
    void anyReachableSentinelThatFlagsTheMasterDownOrFailingOverStopsCounting() {
        assertThat(decide(List.of(OLD, OLD, report("redis:6379", "aaaa", "master,o_down", 4)), null).reason())
                .contains("may be under way");
        assertThat(decide(List.of(OLD, OLD, report("redis:6379", "aaaa", "master,failover_in_progress", 4)), null)
                .trusted()).isFalse();
    }

    @Test
    void aSentinelWhoseLinkToTheMasterReconnectsStillVouchesOneThatSeesItDownDoesNot() {
        assertThat(decide(List.of(OLD, report("redis:6379", "aaaa", "master,disconnected", 4)), null).trusted()).isTrue();
        assertThat(decide(List.of(OLD, report("redis:6379", "aaaa", "s_down,master", 4)), null).trusted()).isFalse();
        // Right after a failover a Sentinel knows the new primary's address before its run_id: it still vouches.
        assertThat(decide(List.of(OLD, report("redis:6379", "", "master", 4)), null).trusted()).isTrue();
    }

    @Test
    void anUnknownMasterIsNamedInTheReason() {
        Verdict verdict = decide(List.of(Report.failed("s1:26379 monitors no master named reqcount"),
                Report.failed("s2:26379 monitors no master named reqcount")), null);
        assertThat(verdict.reason()).isEqualTo("the Sentinels do not name a primary for reqcount: "
                + "s1:26379 monitors no master named reqcount");
    }

    /** Scenario f: a short cut, a failover at epoch 5 under way while the Sentinels still name the old primary. */
    @Test
    void aFailoverAttemptNotYetInTheConfigurationKeepsTheOldPrimaryUntrusted() {
        var attempt = new Attempt(5, NOW - Duration.ofSeconds(1).toNanos(), false, null);
        assertThat(decide(List.of(OLD, OLD), attempt).reason()).contains("(epoch 5) has not ended");
        // Promoted: the majority names the new primary in epoch 5.
        assertThat(decide(List.of(NEW, NEW), attempt).address()).isEqualTo("redis-2:6379");
    }

    @Test
    void anAttemptEndsWhenItsLeaderSaysSoOrAfterTwiceTheFailoverTimeout() {
        assertThat(decide(List.of(OLD, OLD), new Attempt(5, NOW - Duration.ofSeconds(1).toNanos(), true, null)).trusted())
                .isTrue();
        assertThat(decide(List.of(OLD, OLD), new Attempt(5, NOW - Duration.ofSeconds(19).toNanos(), false, null)).trusted())
                .isFalse();
        assertThat(decide(List.of(OLD, OLD), new Attempt(5, NOW - Duration.ofSeconds(21).toNanos(), false, null)).trusted())
                .isTrue();
    }

    /** A candidate that failed to be elected, or found no good replica, and said so where the service did not hear. */
    @Test
    void anAttemptIsOverWhenItsCandidateAnswersWithoutAFailoverInProgress() {
        var attempt = new Attempt(11, NOW - Duration.ofSeconds(1).toNanos(), false, "candidate-id");
        Report candidate = report("redis:6379", "aaaa", "master", 4, "candidate-id");
        Report voter = report("redis:6379", "aaaa", "master", 4, "voter-id");
        assertThat(decide(List.of(voter, voter), attempt).trusted()).as("the candidate not heard from").isFalse();
        assertThat(decide(List.of(voter, candidate), attempt).trusted()).isTrue();
        Report stillTrying = report("redis:6379", "aaaa", "master,failover_in_progress", 4, "candidate-id");
        assertThat(decide(List.of(voter, stillTrying), attempt).trusted()).isFalse();
    }

    /**
     * Scenario f, as the nemesis caught it: cut off with the old primary, the service heard only its own node's
     * Sentinel announce epoch 5, learnt from the vote the others held. After the heal, that Sentinel and a voter
     * (which reports the old primary again, nothing flagged) answered first, while the candidate promoted a replica.
     */
    @Test
    void aNewEpochHoldsTheOldPrimaryUntilItIsInTheConfigurationOrEverySentinelAnswersIdle() {
        var newEpoch = new Attempt(5, NOW - Duration.ofMillis(300).toNanos(), false, null);
        assertThat(decide(List.of(OLD, OLD), newEpoch).reason()).contains("(epoch 5) has not ended");
        Report candidate = report("redis:6379", "aaaa", "master,failover_in_progress", 4);
        assertThat(decide(List.of(OLD, OLD, candidate), newEpoch).trusted()).isFalse();
        assertThat(decide(List.of(NEW, NEW), newEpoch).address()).isEqualTo("redis-2:6379");
        // An epoch a restarted Sentinel learnt long after its attempt was given up: all three answer, none trying.
        assertThat(decide(List.of(OLD, OLD, OLD), newEpoch).address()).isEqualTo("redis:6379");
    }

    @Test
    void anOdownWithoutAnEpochEndsWithTheFlags() {
        var odown = new Attempt(0, NOW, false, null);
        assertThat(decide(List.of(OLD, OLD), odown).trusted()).isTrue();
    }
}
