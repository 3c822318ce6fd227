package io.github.reqcount;

/** This replica as its replies and metrics name it: the host's name, read once at start, and the service port. */
public record ReplicaIdentity(String name, int port) {

    @Override
    public String toString() {
        return name + ":" + port;
    }
}
