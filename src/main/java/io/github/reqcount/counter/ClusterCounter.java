package io.github.reqcount.counter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives each request its cluster number and its local number, with group commit.
 *
 * <p>Requests that arrive while a transaction is in flight wait in a queue, and the next transaction
 * carries all of them: it adds n to the total, and the n requests take, in arrival order, the n
 * consecutive numbers that end at the new total. They were all in flight at once, so any order among
 * them agrees with real time. A lone request finds no transaction in flight and goes out at once, alone.
 *
 * <p>On a slow Redis (a disk whose fsync takes tens of milliseconds, under appendfsync always) the requests
 * that one transaction answers come back together, a millisecond or so apart. Had the first of them left
 * alone, the rest would wait for it and miss the fsync it rides in. So when the last transaction took
 * {@link #SLOW} or more, the request that gathers a batch lingers for a twentieth of that time (at most
 * {@link #MAX_LINGER}) before it takes the queue. A fast Redis never sees a linger.
 *
 * <p>Invariants: a number is handed out only after Redis confirmed it, and a batch that fails moves no
 * counter for any request in it, local or cluster.
 */
public class ClusterCounter {

    static final long SLOW = TimeUnit.MILLISECONDS.toNanos(20);
    static final long MAX_LINGER = TimeUnit.MILLISECONDS.toNanos(10);

    private final CounterTransaction transaction;
    private final int maxBatch;
    private final int maxInFlight;
    private final CounterMetrics metrics;
    private final AtomicLong local = new AtomicLong();
    private volatile long lingerNanos;

    private final Object lock = new Object();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean gathering;

    public ClusterCounter(CounterTransaction transaction, int maxBatch, int maxInFlight, CounterMetrics metrics) {
        this.transaction = transaction;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.metrics = metrics;
    }

    /** Counts one request, or throws {@link CounterUnavailableException} and counts nothing. */
    public Counts next() {
        Ticket ticket = new Ticket();
        Ticket leader;
        synchronized (lock) {
            queue.add(ticket);
            leader = nextLeader();
        }
        if (leader != ticket) {
            wake(leader);
        }
        if (leader == ticket || ticket.awaitLead()) {
            lead(ticket);
        }
        long cluster = ticket.number(); // first: a refused request moves no local count either
        return new Counts(local.incrementAndGet(), cluster);
    }

    /**
     * Why no request is left behind: the queue, the slots in flight and the one gatherer change only under one
     * lock, and each step that changes them (a request arriving, a batch taken, a transaction ending) ends by
     * calling this. So while the queue is not empty, a request is gathering a batch or every slot is in use, and
     * a slot that frees up goes to the oldest waiting request in the same locked step.
     *
     * @return the oldest waiting request, out of the queue, with a slot to gather and run the next batch in;
     *         null if none may start now
     */
    private Ticket nextLeader() {
        if (gathering || inFlight == maxInFlight || queue.isEmpty()) {
            return null;
        }
        inFlight++;
        gathering = true;
        return queue.poll();
    }

    /** Gathers the batch that the leader heads, hands the gathering on, and runs the batch. */
    private void lead(Ticket leader) {
        long linger = lingerNanos;
        if (linger > 0) {
            LockSupport.parkNanos(linger);
        }
        List<Ticket> batch = new ArrayList<>();
        batch.add(leader);
        Ticket next;
        synchronized (lock) {
            while (!queue.isEmpty() && batch.size() < maxBatch) {
                batch.add(queue.poll());
            }
            gathering = false;
            next = nextLeader();
        }
        wake(next);
        run(batch);
    }

    private void run(List<Ticket> batch) {
        long start = System.nanoTime();
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
            long took = System.nanoTime() - start;
            lingerNanos = took < SLOW ? 0 : Math.min(took / 20, MAX_LINGER);
            Ticket next;
            synchronized (lock) {
                inFlight--;
                next = nextLeader();
            }
            wake(next);
        }
    }

    private static void wake(Ticket leader) {
        if (leader != null) {
            leader.lead.complete(null);
        }
    }

    private static final class Ticket {
        /** Completed when this request, out of the queue, is to gather and run the next batch. */
        final CompletableFuture<Void> lead = new CompletableFuture<>();
        final CompletableFuture<Long> number = new CompletableFuture<>();

        /** Waits until this ticket either has its number (or its refusal) or must lead the next batch. */
        boolean awaitLead() {
            CompletableFuture.anyOf(lead, number).handle((done, failed) -> done).join();
            return lead.isDone();
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
