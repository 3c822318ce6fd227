package io.github.reqcount.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a whole history against the service's promise, and measures its availability:
 * <ul>
 *   <li>no cluster number is served twice (invariant 1);</li>
 *   <li>no acknowledged number is above the final total: a number above it was handed out and then lost, and
 *       will be handed out again;</li>
 *   <li>real-time order: if the reply to A arrived before B was sent, A's number is smaller than B's;</li>
 *   <li>per scenario and service: 200, 503 and other answers, the windows without a 200, and, where the
 *       primary's node was cut off, how long the other side took to answer 200 again after the cut and the
 *       cut-off side after the heal.</li>
 * </ul>
 * The first three are safety and fail the run; the recovery times fail it when above the bound.
 */
final class Checker {

    private Checker() {
    }

    /** One scenario's figures; recovery times are -1 where not measured, Long.MAX_VALUE where never reached. */
    record Row(String scenario, Map<String, int[]> answers, int repeated, int aboveTotal, int realTimeViolations,
            Map<String, long[]> windows, long othersRecoveryMs, long cutOffRecoveryMs) {
    }

    /**
     * One fault's figures: the repeated numbers first answered from its start until the next fault's (the
     * acknowledgements that were later discarded), and its recovery times.
     */
    record FaultFigures(Fault fault, int repeated, long othersRecoveryMs, long cutOffRecoveryMs) {
    }

    record Verdict(List<Row> rows, List<FaultFigures> faults, TreeMap<Long, Integer> repeats, TreeSet<Long> aboveTotal,
            List<String> realTime, List<String> slowRecoveries, long finalTotal) {

        List<String> failures() {
            List<String> failures = new ArrayList<>();
            if (!repeats.isEmpty()) {
                failures.add(repeats.size() + " cluster numbers served more than once: " + head(repeats.keySet()));
            }
            if (!aboveTotal.isEmpty()) {
                failures.add(aboveTotal.size() + " acknowledged numbers above the final total " + finalTotal + ": "
                        + head(aboveTotal));
            }
            if (!realTime.isEmpty()) {
                failures.add(realTime.size() + " real-time order violations, such as: " + realTime.subList(0,
                        Math.min(5, realTime.size())));
            }
            failures.addAll(slowRecoveries);
            return failures;
        }

        private static String head(java.util.Collection<Long> numbers) {
            List<Long> list = new ArrayList<>(numbers);
            return list.size() <= 50 ? list.toString() : list.subList(0, 50) + " and " + (list.size() - 50) + " more";
        }
    }

    static Verdict check(List<Op> unsorted, long finalTotal, List<Fault> faults, Duration recoveryBound) {
        List<Op> history = unsorted.stream().sorted(Comparator.comparingLong(Op::sendNs)).toList();
        List<Op> ok = history.stream().filter(Op::ok).toList();

        Map<Long, Integer> served = new HashMap<>();
        ok.forEach(op -> served.merge(op.cluster(), 1, Integer::sum));
        TreeMap<Long, Integer> repeats = new TreeMap<>();
        served.forEach((number, times) -> {
            if (times > 1) {
                repeats.put(number, times);
            }
        });
        TreeSet<Long> above = new TreeSet<>();
        ok.stream().filter(op -> op.cluster() > finalTotal).forEach(op -> above.add(op.cluster()));

        // Real time: the highest number among the replies received before each request was sent.
        List<Op> byReceive = new ArrayList<>(ok);
        byReceive.sort(Comparator.comparingLong(Op::recvNs));
        long[] receivedAt = byReceive.stream().mapToLong(Op::recvNs).toArray();
        long[] highestSoFar = new long[byReceive.size()];
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < byReceive.size(); i++) {
            highest = Math.max(highest, byReceive.get(i).cluster());
            highestSoFar[i] = highest;
        }
        List<String> realTime = new ArrayList<>();
        Map<String, Integer> realTimeBy = new HashMap<>();
        for (Op op : ok) {
            int before = lowerBound(receivedAt, op.sendNs()); // replies received strictly before op was sent
            if (before > 0 && highestSoFar[before - 1] >= op.cluster()) {
                realTime.add(op.service() + " got " + op.cluster() + " after " + highestSoFar[before - 1]
                        + " had been answered");
                realTimeBy.merge(op.scenario(), 1, Integer::sum);
            }
        }

        Map<String, List<Op>> byScenario = new LinkedHashMap<>();
        history.forEach(op -> byScenario.computeIfAbsent(op.scenario(), s -> new ArrayList<>()).add(op));
        List<String> slow = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        long boundMs = recoveryBound.toMillis();
        for (var entry : byScenario.entrySet()) {
            String scenario = entry.getKey();
            List<Op> ops = entry.getValue();
            Map<String, int[]> answers = new TreeMap<>();
            Map<String, List<Op>> byService = new TreeMap<>();
            for (Op op : ops) {
                int[] counts = answers.computeIfAbsent(op.service(), s -> new int[3]);
                counts[op.ok() ? 0 : op.status() == 503 ? 1 : 2]++;
                byService.computeIfAbsent(op.service(), s -> new ArrayList<>()).add(op);
            }
            Map<String, long[]> windows = new TreeMap<>();
            byService.forEach((service, own) -> windows.put(service, windows(own)));
            int repeated = (int) ops.stream().filter(Op::ok).map(Op::cluster).distinct()
                    .filter(repeats::containsKey).count();
            int aboveTotal = (int) ops.stream().filter(Op::ok).map(Op::cluster).distinct()
                    .filter(above::contains).count();
            long others = -1, cutOff = -1;
            for (Fault fault : faults) {
                if (!fault.scenario().equals(scenario) || !fault.primaryLost()) {
                    continue;
                }
                for (String service : fault.others()) {
                    long ms = firstOkAfter(history, service, fault.startNs());
                    others = Math.max(others, ms);
                    if (ms > boundMs && fault.othersBounded()) {
                        slow.add(scenario + ": " + service + " answered 200 again " + shown(ms) + " after the primary's"
                                + " node was cut off (" + fault.what() + "), bound " + shown(boundMs));
                    }
                }
                for (String service : fault.cutOff()) {
                    long ms = firstOkAfter(history, service, fault.healNs());
                    cutOff = Math.max(cutOff, ms);
                    if (ms > boundMs) {
                        slow.add(scenario + ": " + service + ", cut off with the old primary, answered 200 again "
                                + shown(ms) + " after the heal (" + fault.what() + "), bound " + shown(boundMs));
                    }
                }
            }
            rows.add(new Row(scenario, answers, repeated, aboveTotal, realTimeBy.getOrDefault(scenario, 0), windows,
                    others, cutOff));
        }
        return new Verdict(rows, faultFigures(history, faults, repeats), repeats, above, realTime, slow, finalTotal);
    }

    private static List<FaultFigures> faultFigures(List<Op> history, List<Fault> faults, Map<Long, Integer> repeats) {
        List<Fault> sorted = faults.stream().sorted(Comparator.comparingLong(Fault::startNs)).toList();
        Map<Long, Long> firstAnswered = new HashMap<>();
        history.stream().filter(op -> op.ok() && repeats.containsKey(op.cluster()))
                .forEach(op -> firstAnswered.merge(op.cluster(), op.recvNs(), Math::min));
        List<FaultFigures> figures = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Fault fault = sorted.get(i);
            long end = i + 1 < sorted.size() ? sorted.get(i + 1).startNs() : Long.MAX_VALUE;
            int repeated = (int) firstAnswered.values().stream()
                    .filter(at -> at >= fault.startNs() && at < end).count();
            long others = fault.others().stream().mapToLong(s -> firstOkAfter(history, s, fault.startNs())).max()
                    .orElse(-1);
            long cutOff = fault.cutOff().stream().mapToLong(s -> firstOkAfter(history, s, fault.healNs())).max()
                    .orElse(-1);
            figures.add(new FaultFigures(fault, repeated, fault.primaryLost() ? others : -1,
                    fault.primaryLost() ? cutOff : -1));
        }
        return figures;
    }

    /** The windows without a 200 in one service's requests (by send time): {count, longest in ms}. */
    private static long[] windows(List<Op> ops) {
        long count = 0, longest = 0, start = -1, lastFailure = 0;
        for (Op op : ops) {
            if (!op.ok()) {
                if (start < 0) {
                    start = op.sendNs();
                    count++;
                }
                lastFailure = op.recvNs();
            } else if (start >= 0) {
                longest = Math.max(longest, (op.recvNs() - start) / 1_000_000);
                start = -1;
            }
        }
        if (start >= 0) {
            longest = Math.max(longest, (lastFailure - start) / 1_000_000);
        }
        return new long[] {count, longest};
    }

    /** Milliseconds from since to the first 200 on a request the service got after since; MAX_VALUE if none. */
    private static long firstOkAfter(List<Op> history, String service, long sinceNs) {
        return history.stream().filter(op -> op.ok() && op.service().equals(service) && op.sendNs() >= sinceNs)
                .mapToLong(op -> (op.recvNs() - sinceNs) / 1_000_000).min().orElse(Long.MAX_VALUE);
    }

    static String shown(long ms) {
        return ms == Long.MAX_VALUE ? "never" : ms < 0 ? "-" : String.format("%.1f s", ms / 1000.0);
    }

    private static int lowerBound(long[] sorted, long key) {
        int index = Arrays.binarySearch(sorted, key);
        if (index < 0) {
            return -index - 1;
        }
        while (index > 0 && sorted[index - 1] == key) {
            index--;
        }
        return index;
    }
}
