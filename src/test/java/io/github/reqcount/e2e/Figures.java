package io.github.reqcount.e2e;

/**
 * What an end-to-end check measured, printed on a line of its own. Failsafe keeps each test's output in its report,
 * and testing_infrastructure.sh shows the line beside the check's verdict (src/test/scripts/E2eSummary.java).
 */
final class Figures {

    static final String PREFIX = "figures: ";

    private Figures() {
    }

    static void report(String format, Object... args) {
        System.out.println(PREFIX + String.format(format, args));
    }
}
