package io.github.reqcount.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends GET / and reads the original text format back. Every request has a timeout, every load a bound. */
public final class Replies {

    private static final Pattern FORMAT = Pattern.compile(
            "You are talking to instance (\\S+):(\\d+)\\.\nThis is request (\\d+) to this instance and request (\\d+) to the cluster\\.\n");

    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Replies() {
    }

    /** One parsed 200 reply. */
    public record Reply(String instance, long local, long cluster) {
    }

    public static HttpResponse<String> get(String url) {
        try {
            var request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply parse(String body) {
        Matcher m = FORMAT.matcher(body);
        if (!m.matches()) {
            throw new AssertionError("Not the reply format: " + body);
        }
        return new Reply(m.group(1), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
    }

    /**
     * Sends total GETs over the given number of concurrent clients, spread round-robin over the base URLs, and
     * returns the replies in the order each client received them. Any status but 200 fails the load.
     */
    public static List<Reply> load(List<String> urls, int total, int clients) throws Exception {
        List<Reply> replies = Collections.synchronizedList(new ArrayList<>(total));
        AtomicInteger sent = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    for (int i = sent.getAndIncrement(); i < total; i = sent.getAndIncrement()) {
                        var response = get(urls.get(i % urls.size()));
                        if (response.statusCode() != 200) {
                            throw new AssertionError("Status " + response.statusCode() + ": " + response.body());
                        }
                        replies.add(parse(response.body()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return replies;
    }
}
