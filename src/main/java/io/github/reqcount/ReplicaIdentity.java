package io.github.reqcount;

/**
 * This replica as its replies and metrics name it: the name config.ReplicaName works out once at start
 * (INSTANCE_NAME, else the host's name), and the service port.
 */
public record ReplicaIdentity(String name, int port) {

    @Override
    public String toString() {
        return name + ":" + port;
    }
}
