package io.github.reqcount.counter;

/** Adds n to the cluster total in one atomic step and returns the new total. Throws if that is not confirmed. */
@FunctionalInterface
public interface CounterTransaction {

    long add(int n);
}
