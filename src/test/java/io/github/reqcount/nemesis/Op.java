package io.github.reqcount.nemesis;

/**
 * One request as a client saw it: which scenario was running when it was sent, the client and the service, the
 * send and receive times (System.nanoTime), the HTTP status (0: no answer within the client's timeout, or the
 * connection failed) and the cluster number a 200 carried (-1 otherwise).
 */
record Op(String scenario, int client, String service, long sendNs, long recvNs, int status, long cluster,
        String error) {

    static final String TSV_HEADER = "scenario\tclient\tservice\tsend_ns\trecv_ns\tstatus\tcluster\terror";

    boolean ok() {
        return status == 200 && cluster >= 0;
    }

    String tsv() {
        return String.join("\t", scenario, String.valueOf(client), service, String.valueOf(sendNs),
                String.valueOf(recvNs), String.valueOf(status), String.valueOf(cluster), error);
    }
}
