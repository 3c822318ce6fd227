package io.github.reqcount.counter;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tries a failed transaction once more, so that one dropped connection costs no request; a second failure is
 * final. Logs an outage once when it starts and once when it ends, and every refusal only at DEBUG. Each of these
 * lines carries an event key (redis.outage.start, redis.outage.end, redis.retry.gap, redis.refused) and its figures
 * as keys of their own, for a log pipeline to filter on; docs/operations.md lists them.
 */
public class RetryOnce implements CounterTransaction {

    private static final Logger log = LoggerFactory.getLogger(RetryOnce.class);

    private final CounterTransaction transaction;
    private final AtomicBoolean redisDown = new AtomicBoolean();

    public RetryOnce(CounterTransaction transaction) {
        this.transaction = transaction;
    }

    @Override
    public long add(int n) {
        long total;
        try {
            total = transaction.add(n);
        } catch (RuntimeException first) {
            try {
                total = transaction.add(n);
                // The first attempt may have been applied before it failed (a lost EXEC reply, a WAIT that fell
                // short): then its numbers are a gap in the total, never handed out. Say so; it is rare.
                log.atInfo().addKeyValue("event.action", "redis.retry.gap").addKeyValue("batch", n)
                        .addKeyValue("skipped_before", total - n + 1).addKeyValue("error", first.toString())
                        .log("A transaction of {} failed once and succeeded when retried; the total may skip {} "
                                + "numbers before {}: {}", n, n, total - n + 1, first.toString());
            } catch (RuntimeException second) {
                second.addSuppressed(first);
                if (redisDown.compareAndSet(false, true)) {
                    log.atWarn().addKeyValue("event.action", "redis.outage.start").addKeyValue("error", second.toString())
                            .log("Redis did not confirm an increment after one retry; answering 503 until it does: {}",
                                    second.toString());
                }
                // Every refusal's cause, at DEBUG: the WARN above names only the first of an outage.
                log.atDebug().addKeyValue("event.action", "redis.refused").addKeyValue("batch", n)
                        .addKeyValue("error", second.toString()).log("Refused a batch of {}: {}", n, second.toString());
                throw second;
            }
        }
        if (redisDown.get() && redisDown.compareAndSet(true, false)) {
            log.atInfo().addKeyValue("event.action", "redis.outage.end").addKeyValue("total", total)
                    .log("Redis confirms increments again; the cluster total is {}", total);
        }
        return total;
    }
}
