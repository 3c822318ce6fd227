package io.github.reqcount.web;

import io.github.reqcount.counter.CounterUnavailableException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every refusal is a status, the headers it calls for, and one line of text. None of them counts. */
@RestControllerAdvice
class ErrorReplies {

    @ExceptionHandler(CounterUnavailableException.class)
    ResponseEntity<String> unavailable() {
        return redisUnavailable("the request was not counted");
    }

    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<String> redisUnreadable() {
        return redisUnavailable("the cluster view cannot be read");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<String> methodNotAllowed(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        String allowed = String.join(", ", e.getSupportedMethods() == null ? new String[0] : e.getSupportedMethods());
        return reply(HttpStatus.METHOD_NOT_ALLOWED)
                .header(HttpHeaders.ALLOW, allowed)
                .body(line(HttpStatus.METHOD_NOT_ALLOWED,
                        request.getMethod() + " is not allowed on " + request.getRequestURI() + "; use " + allowed + "."));
    }

    @ExceptionHandler({NoResourceFoundException.class, NoHandlerFoundException.class})
    ResponseEntity<String> notFound(HttpServletRequest request) {
        return reply(HttpStatus.NOT_FOUND)
                .body(line(HttpStatus.NOT_FOUND, "No such path: " + request.getRequestURI()));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<String> notAcceptable() {
        return reply(HttpStatus.NOT_ACCEPTABLE)
                .body(line(HttpStatus.NOT_ACCEPTABLE, "Ask for text/plain or application/json."));
    }

    private static ResponseEntity<String> redisUnavailable(String consequence) {
        return reply(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(line(HttpStatus.SERVICE_UNAVAILABLE, "Redis is unavailable; " + consequence + ". Retry shortly."));
    }

    private static ResponseEntity.BodyBuilder reply(HttpStatus status) {
        return ResponseEntity.status(status).contentType(MediaType.parseMediaType(CountReplyTextConverter.TEXT));
    }

    private static String line(HttpStatus status, String text) {
        return status.value() + " " + status.getReasonPhrase() + ": " + text + "\n";
    }
}
