package io.github.reqcount.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner every test's tools go through: a hung tool fails its test on time, and takes no process with it. */
class CommandTest {

    @TempDir
    Path dir;

    @Test
    void aCommandThatHangsIsKilledWithItsChildrenAtTheLimitAndTheFailureSaysWhatHungAndForHowLong() throws Exception {
        Path child = dir.resolve("child.pid");
        // A shell that prints, starts a child that would outlive it, and hangs.
        var builder = new ProcessBuilder("sh", "-c", "echo started; sleep 60 & echo $! > " + child + "; sleep 60");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Command.run(builder, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("sleep 60")
                .hasMessageContaining("still running after 2 s")
                .hasMessageContaining("started");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("seconds until the failure").isBetween(2.0, 5.0);
        Path stat = Path.of("/proc", Files.readString(child).strip(), "stat");
        // Killed, it is gone, or a zombie until whichever process inherited it reaps it.
        for (int i = 0; i < 20 && running(stat); i++) {
            Thread.sleep(100);
        }
        assertThat(running(stat)).as("the child sleep still runs").isFalse();
    }

    private static boolean running(Path stat) throws Exception {
        try {
            String fields = Files.readString(stat);
            return fields.charAt(fields.lastIndexOf(')') + 2) != 'Z';
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
    }

    @Test
    void aCommandThatPrintsMoreThanAPipeHoldsFinishes() throws Exception {
        var builder = new ProcessBuilder("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo done >&2");
        Command.Result run = Command.run(builder, Duration.ofSeconds(20));
        assertThat(run.exit()).isZero();
        assertThat(run.output()).hasSize(1_000_000 + "\ndone\n".length()).endsWith("done\n");
    }

    @Test
    void theExitCodeAndBothStreamsComeBack() throws Exception {
        Command.Result run = Command.run(new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(20));
        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.output()).contains("out\n").contains("err\n");
    }
}
