package io.github.reqcount.counter;

/** The cluster total could not be confirmed, so the request was not counted anywhere. */
public class CounterUnavailableException extends RuntimeException {

    public CounterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
