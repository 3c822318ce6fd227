package io.github.reqcount.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends GET / and reads the original text format back. Every request has a timeout. */
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
}
