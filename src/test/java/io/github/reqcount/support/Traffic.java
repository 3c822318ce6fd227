package io.github.reqcount.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.support.Replies.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent clients sending GET / round-robin over some base URLs, each recording what it got in the order it
 * got it. Bounded by a request count and a time limit; it can also run in the background until stopped.
 */
public final class Traffic implements AutoCloseable {

    /**
     * One request's outcome: a status (0 when the connection failed), for a 200 the parsed reply, when the answer
     * came and when the request was sent (System.nanoTime()).
     */
    public record Outcome(int client, int status, Reply reply, String error, long nanos, long sent) {
        public boolean ok() {
            return status == 200;
        }
    }

    /**
     * A fault's refusal window, in seconds: from the first non-200 answered in [from, until) to the first 200 after
     * the last non-200 in it (a 200 from a batch confirmed just before the fault may arrive among the refusals).
     * 0 with no refusal in it; NaN when no 200 came after them.
     */
    public static double refusalWindow(List<Outcome> outcomes, long from, long until) {
        List<Outcome> byTime = outcomes.stream().sorted(Comparator.comparingLong(Outcome::nanos)).toList();
        List<Outcome> refused = byTime.stream().filter(o -> o.nanos() >= from && o.nanos() < until && !o.ok()).toList();
        if (refused.isEmpty()) {
            return 0;
        }
        long last = refused.get(refused.size() - 1).nanos();
        return byTime.stream().filter(o -> o.ok() && o.nanos() > last).findFirst()
                .map(o -> (o.nanos() - refused.get(0).nanos()) / 1e9).orElse(Double.NaN);
    }

    private final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService pool;
    private final List<Future<?>> clients = new ArrayList<>();

    /** Starts clients that send at most maxRequests in all, for at most limit, pausing pauseMillis between requests. */
    public Traffic(List<String> urls, int clientCount, int maxRequests, Duration limit, long pauseMillis) {
        pool = Executors.newFixedThreadPool(clientCount);
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.nanoTime() + limit.toNanos();
        for (int c = 0; c < clientCount; c++) {
            int client = c;
            clients.add(pool.submit(() -> {
                for (int i = sent.getAndIncrement(); !stop.get() && System.nanoTime() < deadline && i < maxRequests;
                        i = sent.getAndIncrement()) {
                    outcomes.add(send(client, urls.get(i % urls.size())));
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
                return null;
            }));
        }
    }

    /** Sends requests GETs over the clients and returns every outcome, once all are in. */
    public static List<Outcome> run(List<String> urls, int clientCount, int requests, Duration limit) throws Exception {
        try (var traffic = new Traffic(urls, clientCount, requests, limit, 0)) {
            return traffic.awaitEnd();
        }
    }

    /** Like {@link #run}, for a load where every request must be answered 200: returns the replies. */
    public static List<Reply> replies(List<String> urls, int requests, int clientCount) throws Exception {
        List<Outcome> outcomes = run(urls, clientCount, requests, Duration.ofMinutes(2));
        assertThat(outcomes).hasSize(requests).allSatisfy(o -> assertThat(o.ok()).as("status %d: %s", o.status(), o.error()).isTrue());
        return outcomes.stream().map(Outcome::reply).toList();
    }

    private static Outcome send(int client, String url) {
        long sent = System.nanoTime();
        try {
            var response = Replies.get(url);
            Reply reply = response.statusCode() == 200 ? Replies.parse(response.body()) : null;
            return new Outcome(client, response.statusCode(), reply, response.statusCode() == 200 ? null : response.body(),
                    System.nanoTime(), sent);
        } catch (RuntimeException e) {
            return new Outcome(client, 0, null, e.getMessage(), System.nanoTime(), sent);
        }
    }

    public List<Outcome> snapshot() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    /** How many 200s so far. */
    public long served() {
        synchronized (outcomes) {
            return outcomes.stream().filter(Outcome::ok).count();
        }
    }

    /** How many refusals and failures so far. */
    public long refused() {
        synchronized (outcomes) {
            return outcomes.stream().filter(o -> !o.ok()).count();
        }
    }

    /** Waits for the clients to reach their bound, then returns every outcome. */
    public List<Outcome> awaitEnd() throws Exception {
        for (Future<?> client : clients) {
            client.get(10, TimeUnit.MINUTES);
        }
        return snapshot();
    }

    /** Stops the clients and returns every outcome. */
    public List<Outcome> stop() throws Exception {
        stop.set(true);
        return awaitEnd();
    }

    @Override
    public void close() {
        stop.set(true);
        pool.shutdownNow();
    }
}
