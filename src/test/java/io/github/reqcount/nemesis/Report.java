package io.github.reqcount.nemesis;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The checker's verdict as a Markdown table, one row per scenario, as the table reads. */
final class Report {

    private Report() {
    }

    static String markdown(Checker.Verdict verdict, List<String> services, String header) {
        StringBuilder out = new StringBuilder(header).append("\n\n");
        out.append("| Scenario | ");
        services.forEach(s -> out.append("200 / 503 / other (").append(s).append(") | "));
        out.append("repeated numbers | acknowledged above the final total | real-time violations | ");
        out.append("windows without a 200: count, longest (").append(String.join(", ", services)).append(") | ");
        out.append("other side's 200 after the primary's node was cut | cut-off side's 200 after the heal |\n");
        out.append("|---".repeat(services.size() + 7)).append("|\n");
        for (Checker.Row row : verdict.rows()) {
            out.append("| ").append(row.scenario()).append(" | ");
            for (String service : services) {
                int[] counts = row.answers().getOrDefault(service, new int[3]);
                out.append(String.format("%,d / %,d / %,d | ", counts[0], counts[1], counts[2]));
            }
            out.append(bold(row.repeated())).append(" | ").append(bold(row.aboveTotal())).append(" | ")
                    .append(bold(row.realTimeViolations())).append(" | ");
            out.append(services.stream().map(s -> windows(row.windows().get(s))).collect(Collectors.joining("; ")));
            out.append(" | ").append(Checker.shown(row.othersRecoveryMs())).append(" | ")
                    .append(Checker.shown(row.cutOffRecoveryMs())).append(" |\n");
        }
        List<Checker.FaultFigures> listed = verdict.faults().stream()
                .filter(f -> f.fault().primaryLost() || f.repeated() > 0).toList();
        out.append("\nFaults that cut the primary's node off, or after which numbers repeated:")
                .append(listed.isEmpty() ? " none.\n" : "\n\n");
        for (Checker.FaultFigures figures : listed) {
            Fault fault = figures.fault();
            out.append(String.format("- %s, %s: %s repeated numbers%s%n", fault.scenario(), fault.what(),
                    bold(figures.repeated()), fault.primaryLost() ? "; other side's 200 after "
                    + Checker.shown(figures.othersRecoveryMs()) + ", cut-off side's after the heal "
                    + Checker.shown(figures.cutOffRecoveryMs()) : ""));
        }
        out.append(String.format("%nFinal total: %,d. ", verdict.finalTotal()));
        List<String> failures = verdict.failures();
        if (failures.isEmpty()) {
            out.append("No failures.\n");
        } else {
            out.append("Failures:\n");
            failures.forEach(f -> out.append("- ").append(f).append('\n'));
        }
        return out.toString();
    }

    private static String windows(long[] window) {
        return window == null ? "-" : window[0] + ", " + Checker.shown(window[1]);
    }

    private static String bold(int count) {
        return count == 0 ? "0" : String.format("**%,d**", count);
    }

    static String repeatsDetail(Map<Long, Integer> repeats) {
        return repeats.entrySet().stream().limit(200).map(e -> e.getKey() + "×" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
