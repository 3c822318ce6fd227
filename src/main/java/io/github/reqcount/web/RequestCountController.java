package io.github.reqcount.web;

import io.github.reqcount.ReplicaIdentity;
import io.github.reqcount.counter.ClusterCounter;
import io.github.reqcount.counter.Counts;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/** GET / counts one request; nothing else on / counts anything. */
@RestController
class RequestCountController {

    private final ClusterCounter counter;
    private final ReplicaIdentity replica;

    RequestCountController(ClusterCounter counter, ReplicaIdentity replica) {
        this.counter = counter;
        this.replica = replica;
    }

    // Text unless the client asks for JSON: text/plain is listed first, so it wins when any type will do.
    @GetMapping(path = "/", produces = {CountReplyTextConverter.TEXT, MediaType.APPLICATION_JSON_VALUE})
    CountReply count() {
        Counts counts = counter.next();
        return new CountReply(replica.name(), replica.port(), counts.local(), counts.cluster());
    }

    /** Spring would answer HEAD and OPTIONS through the GET mapping; here they must count nothing. */
    @RequestMapping(path = "/", method = {RequestMethod.HEAD, RequestMethod.POST, RequestMethod.PUT,
            RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.OPTIONS})
    void otherMethods(HttpServletRequest request) throws HttpRequestMethodNotSupportedException {
        throw new HttpRequestMethodNotSupportedException(request.getMethod(), Set.of("GET"));
    }
}
