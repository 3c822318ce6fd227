package io.github.reqcount.bench;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.web.CountReply;
import io.github.reqcount.web.CountReplyTextConverter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.annotation.Profile;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * GET /async: the experiment of bench/results/async-controller.md. The same reply as GET /, but the Tomcat thread returns at
 * once with a future that the batch's EXEC reply completes on Lettuce's event loop, and Spring MVC writes the reply
 * in an async dispatch. Exists only under the {@code bench} profile, beside the shipped GET /.
 */
@RestController
@Profile("bench")
class AsyncCountController {

    private final AsyncGroupCommit commit;
    private final ReplicaIdentity replica;
    private final AtomicLong local = new AtomicLong();

    AsyncCountController(AsyncGroupCommit commit, ReplicaIdentity replica) {
        this.commit = commit;
        this.replica = replica;
    }

    @GetMapping(path = "/async", produces = {CountReplyTextConverter.TEXT, MediaType.APPLICATION_JSON_VALUE})
    CompletableFuture<CountReply> count() {
        return commit.next().thenApply(cluster ->
                new CountReply(replica.name(), replica.port(), local.incrementAndGet(), cluster));
    }
}
