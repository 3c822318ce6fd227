package io.github.reqcount.counter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;

/** The counter's meters: requests served and refused, each batch's size, each transaction's time, the last total. */
public class CounterMetrics {

    private final DistributionSummary batchSizes;
    private final Timer transactions;
    private final Counter served;
    private final Counter refused;
    private final AtomicLong lastTotal = new AtomicLong();

    public CounterMetrics(MeterRegistry meters) {
        batchSizes = DistributionSummary.builder("reqcount.batch.size")
                .description("Requests carried by one Redis transaction")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
                .register(meters);
        transactions = Timer.builder("reqcount.redis.transaction")
                .description("One MULTI/EXEC attempt, successful or not")
                .publishPercentileHistogram()
                .register(meters);
        served = Counter.builder("reqcount.requests.served")
                .description("Requests answered with a cluster number").register(meters);
        refused = Counter.builder("reqcount.requests.refused")
                .description("Requests refused with 503 because Redis did not confirm").register(meters);
        Gauge.builder("reqcount.cluster.last.known", lastTotal, AtomicLong::get)
                .description("The last cluster total this replica saw confirmed").register(meters);
    }

    /** The same transaction, each attempt timed. */
    public CounterTransaction timed(CounterTransaction transaction) {
        return n -> {
            Timer.Sample sample = Timer.start();
            try {
                return transaction.add(n);
            } finally {
                sample.stop(transactions);
            }
        };
    }

    void served(int batch, long total) {
        batchSizes.record(batch);
        served.increment(batch);
        lastTotal.accumulateAndGet(total, Math::max);
    }

    void refused(int batch) {
        batchSizes.record(batch);
        refused.increment(batch);
    }
}
