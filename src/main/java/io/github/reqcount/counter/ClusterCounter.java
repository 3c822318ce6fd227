package io.github.reqcount.counter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives each request its cluster number and its local number, with group commit.
 *
 * <p>Requests that arrive while a transaction is in flight wait in a queue, and the next transaction
 * carries all of them: it adds n to the total, and the n requests take, in arrival order, the n
 * consecutive numbers that end at the new total. They were all in flight at once, so any order among
 * them agrees with real time. A lone request finds no transaction in flight and goes out at once, alone.
 *
 * <p>Invariants: a number is handed out only after Redis confirmed it, and a batch that fails moves no
 * counter for any request in it, local or cluster.
 */
public class ClusterCounter {

    private final CounterTransaction transaction;
    private final int maxBatch;
    private final int maxInFlight;
    private final CounterMetrics metrics;
    private final AtomicLong local = new AtomicLong();

    private final Object lock = new Object();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int inFlight;

    public ClusterCounter(CounterTransaction transaction, int maxBatch, int maxInFlight, CounterMetrics metrics) {
        this.transaction = transaction;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
    }

    /** Counts one request, or throws {@link CounterUnavailableException} and counts nothing. */
    public Counts next() {
        Ticket ticket = new Ticket();
        List<Ticket> batch;
        synchronized (lock) {
            queue.add(ticket);
            batch = inFlight < maxInFlight ? startBatch() : null;
        }
        if (batch == null) {
            batch = ticket.awaitTurn();
        }
        if (batch != null) {
            run(batch);
        }
        long cluster = ticket.number();
        return new Counts(local.incrementAndGet(), cluster);
    }

    private List<Ticket> startBatch() {
        inFlight++;
        List<Ticket> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
        while (!queue.isEmpty() && batch.size() < maxBatch) {
            batch.add(queue.poll());
        }
        return batch;
    }

    private void run(List<Ticket> batch) {
        try {
            long last = transaction.add(batch.size());
            long first = last - batch.size() + 1;
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).number.complete(first + i);
            }
            metrics.served(batch.size(), last);
        } catch (RuntimeException e) {
            var refusal = new CounterUnavailableException("Redis did not confirm the increment", e);
            batch.forEach(t -> t.number.completeExceptionally(refusal));
            metrics.refused(batch.size());
        } finally {
            handOver();
        }
    }

    /**
     * Why no request is left behind: the queue and the count of transactions in flight change only under one
     * lock, and while the queue is not empty every slot is in use. A transaction that ends takes the next batch
     * from the queue in the same locked step that frees its slot, and hands it to the oldest request in it, which
     * runs it. So a request is either in the queue with a transaction ahead of it that will hand over, or in a
     * batch that is running.
     */
    private void handOver() {
        List<Ticket> next = null;
        synchronized (lock) {
            inFlight--;
            if (!queue.isEmpty()) {
                next = startBatch();
            }
        }
        if (next != null) {
            next.get(0).turn.complete(next);
        }
    }

    private static final class Ticket {
        /** Completed with the batch to run when this request is chosen to run one. */
        final CompletableFuture<List<Ticket>> turn = new CompletableFuture<>();
        final CompletableFuture<Long> number = new CompletableFuture<>();

        /** Waits until this ticket either has its number (or its refusal) or must run the batch it heads. */
        List<Ticket> awaitTurn() {
            CompletableFuture.anyOf(turn, number).handle((done, failed) -> done).join();
            return turn.getNow(null);
        }

        long number() {
            try {
                return number.join();
            } catch (CompletionException e) {
                throw (CounterUnavailableException) e.getCause();
            }
        }
    }
}
