package io.github.reqcount.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;

/** On close, readiness refuses first, and the context stops nothing (the web server included) until the delay has passed. */
class DrainOnShutdownTest {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile long refusedAt;
    private volatile long stoppedAt;

    @Test
    void readinessRefusesAtOnceAndTheServerStopsOnlyAfterTheDelay() {
        long closedAt = closeWith(Duration.ofMillis(600));
        assertThat(seen).containsExactly("REFUSING_TRAFFIC", "stopped");
        assertThat((refusedAt - closedAt) / 1_000_000).as("ms from close to refusing traffic").isLessThan(300);
        assertThat((stoppedAt - refusedAt) / 1_000_000).as("ms from refusing traffic to the first stop").isGreaterThanOrEqualTo(600);
    }

    @Test
    void aZeroDelayStillRefusesFirst() {
        closeWith(Duration.ZERO);
        assertThat(seen).containsExactly("REFUSING_TRAFFIC", "stopped");
    }

    /** Closes a context holding the listener and a lifecycle standing for the web server; returns when the close began. */
    private long closeWith(Duration delay) {
        var context = new GenericApplicationContext();
        context.registerBean(DrainOnShutdown.class, () -> new DrainOnShutdown(context, delay));
        context.registerBean(Readiness.class, () -> new Readiness());
        context.registerBean(Server.class, () -> new Server());
        context.refresh();
        long closedAt = System.nanoTime();
        context.close();
        return closedAt;
    }

    private class Readiness implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {
        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
                refusedAt = System.nanoTime();
                seen.add(event.getState().toString());
            }
        }
    }

    /** Stands for the web server, whose graceful shutdown is a lifecycle stopped after ContextClosedEvent. */
    private class Server implements SmartLifecycle {
        private volatile boolean running;

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            stoppedAt = System.nanoTime();
            seen.add("stopped");
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
