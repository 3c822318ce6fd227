package io.github.reqcount.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one tool for a test (bash, java, docker, promtool, kubectl, ip): the only place the tests start a command and
 * wait for it. Output goes to a file, not a pipe, so nothing has to be read while the command runs and the limit is
 * what ends the wait: a command still running then is killed with every process under it, and the test fails saying
 * which command hung, for how long, and what it printed.
 */
public final class Command {

    private Command() {
    }

    /** The exit code; stdout (with stderr, unless kept apart); stderr when kept apart, else empty. */
    public record Result(int exit, String output, String errors) {
    }

    /** A command still running at its limit, now killed. */
    public static final class TimedOut extends AssertionError {
        TimedOut(String message) {
            super(message);
        }
    }

    /** Runs what the builder holds (command, folder, environment): output and errors together. */
    public static Result run(ProcessBuilder builder, Duration limit) throws IOException, InterruptedException {
        return run(builder, limit, false);
    }

    /** The same, with stderr apart from stdout (for a tool whose stdout is parsed, such as kubectl kustomize). */
    public static Result runKeepingErrorsApart(ProcessBuilder builder, Duration limit)
            throws IOException, InterruptedException {
        return run(builder, limit, true);
    }

    private static Result run(ProcessBuilder builder, Duration limit, boolean apart) throws IOException, InterruptedException {
        File out = File.createTempFile("command", ".out");
        File err = File.createTempFile("command", ".err");
        try {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(out);
            if (apart) {
                builder.redirectErrorStream(false).redirectError(err);
            } else {
                builder.redirectErrorStream(true);
            }
            Process process = builder.start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                // Children first: once the parent is gone they are orphans that nothing here can name.
                List<ProcessHandle> tree = process.descendants().toList();
                tree.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new TimedOut(String.join(" ", builder.command()) + " hung: still running after " + seconds(limit)
                        + ", so it was killed with the " + tree.size() + " process(es) it had started. It printed:\n"
                        + read(out) + read(err));
            }
            return new Result(process.exitValue(), read(out), apart ? read(err) : "");
        } finally {
            Files.deleteIfExists(out.toPath());
            Files.deleteIfExists(err.toPath());
        }
    }

    private static String seconds(Duration limit) {
        return limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s" : limit.toMillis() + " ms";
    }

    private static String read(File file) throws IOException {
        return Files.readString(file.toPath(), StandardCharsets.UTF_8);
    }
}
