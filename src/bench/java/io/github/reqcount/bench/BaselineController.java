package io.github.reqcount.bench;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.web.CountReply;
import io.github.reqcount.web.CountReplyTextConverter;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.annotation.Profile;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * GET /baseline: the same reply as GET /, through the same Tomcat, Spring MVC and text converter, but
 * with no Redis call. The benchmark measures it in the same process to know the ceiling that GET / is
 * held against. It is in the jar that {@code ./mvnw -Pbench package} builds (src/bench/java) and in no
 * other, and there only under the {@code bench} Spring profile, so no real replica ever serves it.
 */
@RestController
@Profile("bench")
class BaselineController {

    /** Stands in for the cluster number, which would need Redis. */
    static final long CLUSTER = 0;

    private final ReplicaIdentity replica;
    private final AtomicLong local = new AtomicLong();

    BaselineController(ReplicaIdentity replica) {
        this.replica = replica;
    }

    @GetMapping(path = "/baseline", produces = {CountReplyTextConverter.TEXT, MediaType.APPLICATION_JSON_VALUE})
    CountReply baseline() {
        return new CountReply(replica.name(), replica.port(), local.incrementAndGet(), CLUSTER);
    }
}
