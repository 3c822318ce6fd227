package io.github.reqcount.web;

/** This replica as its replies name it: the host's name, read once at start, and the service port. */
public record Instance(String name, int port) {

    @Override
    public String toString() {
        return name + ":" + port;
    }
}
