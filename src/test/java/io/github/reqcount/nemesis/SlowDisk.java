package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A disk whose fsync takes a set time: src/test/scripts/slow_fsync_fs.py, a passthrough FUSE filesystem, mounted at
 * mount() over backing(). Its own count of slow fsyncs shows the slow window really opened.
 */
final class SlowDisk implements AutoCloseable {

    static final String SCRIPT = "src/test/scripts/slow_fsync_fs.py";

    private final Path mount;
    private final Path countFile;
    private final Process process;

    private SlowDisk(Path mount, Path countFile, Process process) {
        this.mount = mount;
        this.countFile = countFile;
        this.process = process;
    }

    /** What the disk needs; each missing piece fails the run, saying what to do. */
    static void preflight() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new IllegalStateException("no /dev/fuse: the slow disk is a FUSE filesystem (modprobe fuse)");
        }
        if (Shell.exec(Map.of(), List.of("/usr/bin/python3", "-c", "import fusepy")).exitCode() != 0
                || !Shell.has("fusermount")) {
            throw new IllegalStateException("the slow disk needs Debian's python3-fusepy and fuse3:"
                    + " apt-get install python3-fusepy fuse3");
        }
    }

    /** Mounts the slow disk at dir/mnt, over dir/backing, each fsync taking fsync; waits until it is mounted. */
    static SlowDisk mount(Path dir, Duration fsync, Path log) {
        try {
            Path backing = Files.createDirectories(dir.resolve("backing"));
            Path mount = Files.createDirectories(dir.resolve("mnt"));
            Path countFile = dir.resolve("fsyncs");
            Process process = new ProcessBuilder("/usr/bin/python3", Path.of(SCRIPT).toAbsolutePath().toString(),
                    backing.toString(), mount.toString(), String.valueOf(fsync.toMillis() / 1000.0),
                    countFile.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            SlowDisk disk = new SlowDisk(mount, countFile, process);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!disk.mounted()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    disk.close();
                    throw new IllegalStateException("the slow disk did not mount at " + mount + " (see " + log + ")");
                }
                Cluster.sleep(Duration.ofMillis(100));
            }
            return disk;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path mount() {
        return mount;
    }

    /** The slow fsyncs so far and their total time in seconds. */
    double[] fsyncs() {
        try {
            String[] fields = Files.readString(countFile).strip().split(" ");
            return new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1])};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean mounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(line -> line.split(" ")[1].equals(mount.toString()));
    }

    @Override
    public void close() {
        Shell.exec(Map.of(), List.of("fusermount", "-u", "-z", mount.toString()));
        process.destroyForcibly();
    }
}
