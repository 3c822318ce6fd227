package io.github.reqcount.web;

import io.github.reqcount.config.ServiceProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

/**
 * A replica being stopped (SIGTERM from Swarm, Kubernetes or docker stop) leaves the edges' rotation before it stops
 * taking requests. The context publishes ContextClosedEvent before it stops anything, so here readiness goes to
 * REFUSING_TRAFFIC and the replica keeps serving for DRAIN_DELAY: long enough for every edge's health check
 * (deploy/haproxy/haproxy.cfg takes a replica out within about 1 s) and the orchestrator's own endpoint removal to
 * stop sending to it. Only then does the graceful shutdown (server.shutdown=graceful) close the server and let the
 * requests in flight finish. Without the delay, whatever an edge sends in the moment before its next failed check
 * finds the server closed.
 */
@Component
public class DrainOnShutdown implements ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(DrainOnShutdown.class);

    private final ApplicationContext context;
    private final Duration delay;

    @Autowired
    DrainOnShutdown(ApplicationContext context, ServiceProperties props) {
        this(context, props.drainDelay());
    }

    public DrainOnShutdown(ApplicationContext context, Duration delay) {
        this.context = context;
        this.delay = delay;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        // A child context's close (the management server's) reaches this listener too: only this context's counts.
        if (event.getApplicationContext() != context) {
            return;
        }
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        if (delay.isZero()) {
            return;
        }
        log.info("Stopping: readiness refuses traffic; serving {} ms more while the edges take this replica out",
                delay.toMillis());
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
