package io.github.reqcount.nemesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The nemesis's checker on small hand-made histories: each kind of violation makes it fail, a clean one passes. */
class CheckerTest {

    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final long MS = 1_000_000;

    /** A 200 carrying number, sent at sendMs and answered at recvMs. */
    private static Op ok(String service, long sendMs, long recvMs, long number) {
        return new Op("f", 1, service, sendMs * MS, recvMs * MS, 200, number, "");
    }

    private static Op refused(String service, long sendMs, long recvMs) {
        return new Op("f", 1, service, sendMs * MS, recvMs * MS, 503, -1, "");
    }

    @Test
    void aCleanHistoryPasses() {
        List<Op> history = List.of(ok("svc1", 0, 10, 1), ok("svc3", 5, 12, 2), ok("svc1", 11, 20, 3));

        Checker.Verdict verdict = Checker.check(history, 3, List.of(), BOUND);

        assertThat(verdict.failures()).isEmpty();
        assertThat(verdict.rows()).singleElement().satisfies(row -> {
            assertThat(row.answers().get("svc1")).containsExactly(2, 0, 0);
            assertThat(row.repeated()).isZero();
        });
    }

    @Test
    void concurrentRequestsMayBeNumberedInEitherOrder() {
        // Both in flight at once: no real-time order between them.
        List<Op> history = List.of(ok("svc1", 0, 10, 2), ok("svc3", 1, 11, 1));

        assertThat(Checker.check(history, 2, List.of(), BOUND).failures()).isEmpty();
    }

    @Test
    void aRepeatedNumberFailsAndIsNamed() {
        List<Op> history = List.of(ok("svc1", 0, 10, 7), ok("svc3", 2, 8, 7), ok("svc1", 20, 30, 8));

        Checker.Verdict verdict = Checker.check(history, 8, List.of(), BOUND);

        assertThat(verdict.repeats()).containsOnlyKeys(7L);
        assertThat(verdict.rows().get(0).repeated()).isEqualTo(1);
        assertThat(verdict.failures()).singleElement().asString()
                .contains("1 cluster numbers served more than once: [7]");
    }

    @Test
    void aNumberAboveTheFinalTotalIsLost() {
        List<Op> history = List.of(ok("svc1", 0, 10, 1), ok("svc1", 20, 30, 2), ok("svc1", 40, 50, 3));

        Checker.Verdict verdict = Checker.check(history, 2, List.of(), BOUND);

        assertThat(verdict.aboveTotal()).containsExactly(3L);
        assertThat(verdict.failures()).singleElement().asString().contains("above the final total 2: [3]");
    }

    @Test
    void aSmallerNumberAfterALargerOneWasAnsweredViolatesRealTime() {
        // 5 was answered at 10 ms; a request sent at 20 ms got 4: unique, within the total, but out of order.
        List<Op> history = List.of(ok("svc1", 0, 10, 5), ok("svc3", 20, 30, 4));

        Checker.Verdict verdict = Checker.check(history, 5, List.of(), BOUND);

        assertThat(verdict.repeats()).isEmpty();
        assertThat(verdict.rows().get(0).realTimeViolations()).isEqualTo(1);
        assertThat(verdict.failures()).singleElement().asString().contains("real-time order violations");
    }

    @Test
    void recoveryTimesAreMeasuredFromTheCutAndTheHeal() {
        // The primary's node (with svc1) cut at 1,000 ms and healed at 3,000 ms.
        Fault fault = new Fault("f", "cut", 1_000 * MS, 3_000 * MS, true, true, Set.of("svc1"), Set.of("svc3"));
        List<Op> history = List.of(ok("svc1", 0, 10, 1), ok("svc3", 0, 10, 2),
                refused("svc3", 1_100, 1_200), ok("svc3", 3_900, 4_000, 3),
                refused("svc1", 1_100, 1_200), ok("svc1", 9_000, 9_500, 4));

        Checker.Verdict verdict = Checker.check(history, 4, List.of(fault), BOUND);

        Checker.Row row = verdict.rows().get(0);
        assertThat(row.othersRecoveryMs()).isEqualTo(3_000);
        assertThat(row.cutOffRecoveryMs()).isEqualTo(6_500);
        assertThat(row.windows().get("svc1")).containsExactly(1, 8_400);
        assertThat(verdict.failures()).singleElement().asString()
                .contains("svc1, cut off with the old primary, answered 200 again 6.5 s after the heal");
    }

    @Test
    void aRepeatIsCountedAgainstTheFaultThatFirstAnsweredIt() {
        Fault first = new Fault("f", "round 1", 1_000 * MS, 2_000 * MS, true, true, Set.of(), Set.of("svc3"));
        Fault second = new Fault("f", "round 2", 5_000 * MS, 6_000 * MS, true, true, Set.of(), Set.of("svc3"));
        // 9 answered during round 1 by a primary whose tail was then discarded, and again during round 2.
        List<Op> history = List.of(ok("svc3", 1_500, 1_600, 9), ok("svc3", 5_500, 5_600, 9));

        Checker.Verdict verdict = Checker.check(history, 9, List.of(first, second), BOUND);

        assertThat(verdict.faults()).extracting(Checker.FaultFigures::repeated).containsExactly(1, 0);
    }
}
