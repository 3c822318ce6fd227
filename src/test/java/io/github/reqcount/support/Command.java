package io.github.reqcount.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs one short tool for a test (bash, java, docker, promtool): its output and errors together, bounded in time. */
public final class Command {

    private Command() {
    }

    public record Result(int exit, String output) {
    }

    /** Runs what the builder holds (command, folder, environment); fails the test if it outlasts the limit. */
    public static Result run(ProcessBuilder builder, Duration limit) throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", builder.command()) + " did not finish within " + limit + ":\n"
                    + output);
        }
        return new Result(process.exitValue(), output);
    }
}
