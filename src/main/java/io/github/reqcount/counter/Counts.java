package io.github.reqcount.counter;

/** What one counted request was given: its number at this replica and in the whole cluster. */
public record Counts(long local, long cluster) {
}
