package io.github.reqcount.web;

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

    static final String TEXT = "text/plain;charset=UTF-8";

    private final ClusterCounter counter;
    private final Instance instance;

    RequestCountController(ClusterCounter counter, Instance instance) {
        this.counter = counter;
        this.instance = instance;
    }

    // Text unless the client asks for JSON: text/plain is listed first, so it wins when any type will do.
    @GetMapping(path = "/", produces = {TEXT, MediaType.APPLICATION_JSON_VALUE})
    CountReply count() {
        Counts counts = counter.next();
        return new CountReply(instance.name(), instance.port(), counts.local(), counts.cluster());
    }

    /** Spring would answer HEAD and OPTIONS through the GET mapping; here they must count nothing. */
    @RequestMapping(path = "/", method = {RequestMethod.HEAD, RequestMethod.POST, RequestMethod.PUT,
            RequestMethod.PATCH, RequestMethod.DELETE, RequestMethod.OPTIONS})
    void otherMethods(HttpServletRequest request) throws HttpRequestMethodNotSupportedException {
        throw new HttpRequestMethodNotSupportedException(request.getMethod(), Set.of("GET"));
    }
}
