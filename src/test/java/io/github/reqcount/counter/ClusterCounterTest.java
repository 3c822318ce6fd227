package io.github.reqcount.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group commit against a fake transaction: numbering, batching, refusals and hand-over. */
class ClusterCounterTest {

    /** Stands in for Redis: a total, the size of every transaction, and optional delay and failures. */
    static final class FakeRedis implements CounterTransaction {
        final AtomicLong total = new AtomicLong();
        final ConcurrentLinkedQueue<Integer> batches = new ConcurrentLinkedQueue<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile long delayMicros;

        @Override
        public long add(int n) {
            batches.add(n);
            if (delayMicros > 0) {
                long until = System.nanoTime() + delayMicros * 1000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            if (failuresLeft.getAndUpdate(f -> Math.max(0, f - 1)) > 0) {
                throw new IllegalStateException("injected failure");
            }
            return total.addAndGet(n);
        }
    }

    private final FakeRedis redis = new FakeRedis();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ExecutorService clients = Executors.newFixedThreadPool(64);

    @AfterEach
    void stopClients() {
        clients.shutdownNow();
    }

    /** The counter as the service builds it: group commit over the transaction, a failed one retried once. */
    private ClusterCounter counter(CounterTransaction transaction, int maxBatch, int maxInFlight) {
        return new ClusterCounter(new RetryOnce(transaction), maxBatch, maxInFlight, new CounterMetrics(meters));
    }

    /** Runs calls over all clients; each call has its own timeout, so a lost wakeup fails the test. */
    private List<Counts> concurrently(ClusterCounter counter, int calls) throws Exception {
        List<Future<Counts>> futures = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            futures.add(clients.submit((Callable<Counts>) counter::next));
        }
        List<Counts> results = new ArrayList<>();
        for (Future<Counts> f : futures) {
            results.add(f.get(5, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void concurrentRequestsGetExactlyOneToNEachOnceInBatches() throws Exception {
        redis.delayMicros = 300;
        var counter = counter(redis, 256, 2);

        List<Counts> results = concurrently(counter, 20_000);

        assertThat(results).extracting(Counts::cluster).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 20_000).boxed().toList());
        assertThat(results).extracting(Counts::local)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, 20_000).boxed().toList());
        assertThat(redis.total).hasValue(20_000);
        assertThat(redis.batches.size()).as("transactions for 20,000 requests").isLessThan(20_000 / 4);
        assertThat(meters.summary("reqcount.batch.size").max()).isGreaterThan(1);
    }

    @Test
    void noRequestIsLeftWaitingWhenTransactionsAreInstant() throws Exception {
        // An instant transaction makes the race between a request queueing and a transaction ending as
        // frequent as it gets; a lost wakeup would leave a request hanging past its 5 s timeout.
        for (int inFlight : new int[] {1, 2, 4}) {
            var counter = counter(redis, 8, inFlight);
            assertThat(concurrently(counter, 20_000)).hasSize(20_000);
        }
        assertThat(redis.total).hasValue(60_000);
    }

    @Test
    void aLoneRequestGoesOutAtOnceInItsOwnTransaction() {
        var counter = counter(redis, 256, 2);

        for (int i = 1; i <= 10; i++) {
            assertThat(counter.next()).isEqualTo(new Counts(i, i));
        }

        assertThat(redis.batches).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void batchesNeverExceedTheirBoundNorTheTransactionsInFlightTheirs() throws Exception {
        redis.delayMicros = 500;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger mostOpen = new AtomicInteger();
        CounterTransaction tracked = n -> {
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            try {
                return redis.add(n);
            } finally {
                open.decrementAndGet();
            }
        };
        var counter = counter(tracked, 4, 2);

        concurrently(counter, 2_000);

        assertThat(redis.batches).allSatisfy(n -> assertThat(n).isBetween(1, 4));
        assertThat(mostOpen.get()).isBetween(1, 2);
    }

    @Test
    void onASlowRedisRequestsThatArriveTogetherShareOneTransaction() throws Exception {
        // 200 ms a transaction, as on a disk whose fsync is slow: the next batch's leader lingers 10 ms, so the
        // eight requests that arrive together all ride in its transaction. Without the linger, each of the first
        // four would take a free slot alone.
        var counter = counter(redis, 256, 4);
        concurrently(counter, 64); // every client thread started, and a fast Redis: no linger yet
        redis.delayMicros = 200_000;
        counter.next();
        redis.batches.clear();

        assertThat(concurrently(counter, 8)).extracting(Counts::cluster)
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(66, 73).boxed().toList());

        assertThat(redis.batches).as("transactions for 8 requests that arrived together").hasSizeLessThan(4);
    }

    @Test
    void oneFailureIsRetriedOnce() {
        redis.failuresLeft.set(1);
        var counter = counter(redis, 256, 2);

        assertThat(counter.next()).isEqualTo(new Counts(1, 1));
        assertThat(redis.batches).containsExactly(1, 1);
    }

    @Test
    void aFailedBatchMovesNoCounterForAnyRequestInIt() throws Exception {
        redis.failuresLeft.set(Integer.MAX_VALUE);
        redis.delayMicros = 200;
        var counter = counter(redis, 256, 1);

        List<Future<Counts>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(clients.submit((Callable<Counts>) counter::next));
        }
        for (Future<Counts> f : futures) {
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CounterUnavailableException.class);
        }

        assertThat(redis.total).hasValue(0);

        redis.failuresLeft.set(0);
        // Local 1 and cluster 1: neither counter moved for the 200 refused requests.
        assertThat(counter.next()).as("the first request after recovery").isEqualTo(new Counts(1, 1));
    }
}
