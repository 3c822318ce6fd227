package io.github.reqcount.e2e;

import io.github.reqcount.support.Replies;
import io.github.reqcount.support.Replies.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent clients sending GET / to the stack, each recording what it got in the order it got it. Bounded by a
 * request count and a time limit; it can also run in the background until stopped.
 */
final class Traffic implements AutoCloseable {

    /** One request's outcome: a status (0 when the connection failed) and, for a 200, the parsed reply. */
    record Outcome(int client, int status, Reply reply, String error) {
        boolean ok() {
            return status == 200;
        }
    }

    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();

    /** Starts clients that send at most maxRequests in all, for at most limit, pausing pauseMillis between requests. */
    Traffic(int clientCount, int maxRequests, Duration limit, long pauseMillis) {
        pool = Executors.newFixedThreadPool(clientCount);
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.nanoTime() + limit.toNanos();
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                while (!stop.get() && System.nanoTime() < deadline && sent.getAndIncrement() < maxRequests) {
                    outcomes.add(send(client));
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
                return null;
            }));
        }
    }

    static List<Outcome> run(int clientCount, int requests, Duration limit) throws Exception {
        try (var traffic = new Traffic(clientCount, requests, limit, 0)) {
            return traffic.awaitEnd();
        }
    }

    private static Outcome send(int client) {
        try {
            var response = Replies.get(Swarm.URL);
            Reply reply = response.statusCode() == 200 ? Replies.parse(response.body()) : null;
            return new Outcome(client, response.statusCode(), reply, response.statusCode() == 200 ? null : response.body());
        } catch (RuntimeException e) {
            return new Outcome(client, 0, null, e.getMessage());
        }
    }

    List<Outcome> snapshot() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    /** Waits for the clients to reach their bound, then returns every outcome. */
    List<Outcome> awaitEnd() throws Exception {
        for (Future<?> client : clients) {
            client.get(10, TimeUnit.MINUTES);
        }
        return snapshot();
    }

    /** Stops the clients and returns every outcome. */
    List<Outcome> stop() throws Exception {
        stop.set(true);
        return awaitEnd();
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
    }
}
