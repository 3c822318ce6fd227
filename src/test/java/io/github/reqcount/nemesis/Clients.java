package io.github.reqcount.nemesis;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop HTTP clients on the host, a few per service: each sends one request, waits for its answer (or its
 * timeout) and sends the next, recording every request. The scenario label is the one current at send time.
 */
final class Clients {

    private static final Pattern CLUSTER = Pattern.compile("request (\\d+) to the cluster");

    private final List<Thread> threads = new ArrayList<>();
    private final List<List<Op>> histories = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile String scenario = "start";

    Clients(List<ServiceProcess> services, int perService, Duration timeout, Duration maxRun) {
        int id = 0;
        for (ServiceProcess service : services) {
            for (int i = 0; i < perService; i++) {
                List<Op> history = new ArrayList<>();
                histories.add(history);
                int client = ++id;
                Thread thread = new Thread(() -> loop(client, service.name, service.uri(), timeout, maxRun, history),
                        "nemesis-client-" + client);
                thread.setDaemon(true);
                threads.add(thread);
            }
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    void scenario(String name) {
        scenario = name;
    }

    /** How many numbers the service has handed out to the clients so far (its 200s). */
    long answered(String service) {
        long count = 0;
        for (List<Op> history : histories) {
            synchronized (history) {
                count += history.stream().filter(op -> op.ok() && op.service().equals(service)).count();
            }
        }
        return count;
    }

    /** Stops every client and returns the whole history, by send time. */
    List<Op> stop() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(10).toMillis());
        }
        List<Op> all = new ArrayList<>();
        histories.forEach(all::addAll);
        all.sort(Comparator.comparingLong(Op::sendNs));
        return all;
    }

    private void loop(int client, String service, URI uri, Duration timeout, Duration maxRun, List<Op> history) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        long end = System.nanoTime() + maxRun.toNanos();
        while (running.get() && System.nanoTime() < end) {
            String label = scenario;
            long sent = System.nanoTime();
            int status = 0;
            long cluster = -1;
            String error = "";
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                Matcher matcher = CLUSTER.matcher(response.body());
                if (status == 200) {
                    if (matcher.find()) {
                        cluster = Long.parseLong(matcher.group(1));
                    } else {
                        error = "unparsed";
                    }
                }
            } catch (HttpTimeoutException e) {
                error = "timeout";
            } catch (IOException e) {
                error = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long received = System.nanoTime();
            synchronized (history) {
                history.add(new Op(label, client, service, sent, received, status, cluster, error));
            }
            if (status != 200) {
                Cluster.sleep(Duration.ofMillis(20)); // no busy loop against a refusing or absent service
            }
        }
    }
}
