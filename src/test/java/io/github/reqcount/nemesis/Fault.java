package io.github.reqcount.nemesis;

import java.util.Set;

/**
 * One fault as the nemesis applied it: from startNs to healNs (System.nanoTime). When it took the primary's node
 * away, cutOff names the services that were on that node and others the rest; the checker then measures how
 * long the others took to answer 200 again after the cut, and the cut-off ones after the heal. The others' time is
 * held to the bound only where a failover can happen (othersBounded): not while a majority-side Sentinel is down.
 */
record Fault(String scenario, String what, long startNs, long healNs, boolean primaryLost, boolean othersBounded,
        Set<String> cutOff, Set<String> others) {

    static final String TSV_HEADER = "scenario\twhat\tstart_ns\theal_ns\tprimary_lost\tcut_off\tothers";

    /** A line of faults.tsv; the times are on history.tsv's clock. */
    String tsv() {
        return String.join("\t", scenario, what, String.valueOf(startNs), String.valueOf(healNs),
                String.valueOf(primaryLost), String.join(",", cutOff), String.join(",", others));
    }
}
