package io.github.reqcount.nemesis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one short command and waits for it, bounded in time: the nemesis's hands on ip, iptables and redis-cli. */
final class Shell {

    private Shell() {
    }

    record Result(int exitCode, String output) {
    }

    /** Runs the command; a non-zero exit or a timeout fails with the command and what it printed. */
    static String run(String... command) {
        Result result = exec(Map.of(), List.of(command));
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.exitCode() + ": "
                    + result.output().strip());
        }
        return result.output();
    }

    /** Runs the command and returns its exit code and output (stdout and stderr), whatever they are. */
    static Result exec(Map<String, String> env, List<String> command) {
        try {
            // timeout(1) bounds the command itself, so reading its output to the end can't hang either.
            List<String> bounded = new java.util.ArrayList<>(List.of("timeout", "-k", "2", "15"));
            bounded.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(bounded).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            // Every command here is short; a stuck one is killed rather than waited on.
            byte[] output = process.getInputStream().readNBytes(1 << 20);
            if (!process.waitFor(20, TimeUnit.SECONDS)) { // only if timeout(1) itself is stuck
                process.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** Whether a program is on the PATH. */
    static boolean has(String program) {
        return exec(Map.of(), List.of("sh", "-c", "command -v " + program)).exitCode() == 0;
    }
}
