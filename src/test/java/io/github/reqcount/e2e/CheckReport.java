package io.github.reqcount.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints each end-to-end check as PASS or FAIL with its figures, and appends the same line to
 * target/e2e-checks.txt, which testing_infrastructure.sh reads to count them.
 */
final class CheckReport implements TestWatcher {

    private static final Path RESULTS = Path.of("target", "e2e-checks.txt");
    private static final ThreadLocal<String> figures = ThreadLocal.withInitial(() -> "");

    /** What the running check measured, shown beside its verdict. */
    static void figures(String text) {
        figures.set(text);
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        write("PASS: " + context.getDisplayName() + " (" + figures.get() + ")");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        write("FAIL: " + context.getDisplayName() + " (" + figures.get() + ") " + cause.toString().lines().findFirst().orElse(""));
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        testFailed(context, cause);
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        write("FAIL: " + context.getDisplayName() + " (disabled)");
    }

    private static void write(String line) {
        figures.remove();
        System.out.println(line);
        try {
            Files.createDirectories(RESULTS.getParent());
            Files.writeString(RESULTS, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
