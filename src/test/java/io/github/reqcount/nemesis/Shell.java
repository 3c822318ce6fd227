package io.github.reqcount.nemesis;

import io.github.reqcount.support.Command;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The nemesis's hands on ip, iptables and redis-cli: short commands through the tests' one runner, 15 s each. */
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
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        try {
            // Every command here is short; a stuck one is killed rather than waited on.
            Command.Result result = Command.run(builder, Duration.ofSeconds(15));
            return new Result(result.exit(), result.output());
        } catch (Command.TimedOut e) {
            return new Result(-1, e.getMessage());
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
