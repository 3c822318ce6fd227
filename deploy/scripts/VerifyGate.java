import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The rollout's gate: run the tests, and let start_service.sh go on only if they pass.
 *   VERIFY=fast (default)  unit and web-slice tests (./mvnw test): seconds
 *   VERIFY=full            ./mvnw verify: Testcontainers Redis and browser tests too
 *   VERIFY=skip            no tests: the deploy goes on untested, and says so
 * A pass is recorded in .verified (git-ignored) against a hash of every file the repository tracks or would track
 * (git ls-files, with the edits not yet committed and new files not yet added; documentation, *.md and docs/,
 * aside), so an unchanged tree is not tested twice; a full pass also counts for fast. Run from the repository's top:
 *   java deploy/scripts/VerifyGate.java                     runs the gate for $VERIFY
 *   java deploy/scripts/VerifyGate.java --record fast|full  records a pass that another command just made
 *   java deploy/scripts/VerifyGate.java --files             lists the files the hash covers
 */
public class VerifyGate {

    static final Path PASSES = Path.of(".verified"), LOG = Path.of("target", "verify-gate.log");

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--record") && List.of("fast", "full").contains(args[1])) {
            record(args[1], treeHash());
            return;
        }
        if (args.length == 1 && args[0].equals("--files")) {
            treeFiles().forEach(System.out::println);
            return;
        }
        if (args.length != 0) {
            fail(2, "usage: java deploy/scripts/VerifyGate.java [--record fast|full | --files]");
        }
        String mode = System.getenv().getOrDefault("VERIFY", "fast");
        List<String> goal = switch (mode) {
            case "skip" -> {
                say("VERIFY=skip: NOT running the tests; this deploy goes out untested");
                System.exit(0);
                yield List.of();
            }
            case "fast" -> List.of("test");
            case "full" -> List.of("verify", "-Dredis.image=" + System.getenv().getOrDefault("REDIS_IMAGE", ""));
            default -> throw fail(2, "VERIFY must be fast, full or skip (got '" + mode + "')");
        };
        String hash = treeHash();
        if (passed(mode, hash)) {
            say("the " + mode + " tests passed before for this tree (" + hash + "): not running them again");
            return;
        }
        Files.createDirectories(LOG.getParent());
        say("VERIFY=" + mode + ": ./mvnw " + goal.get(0) + " (log: " + LOG + ")");
        long start = System.nanoTime();
        List<String> command = new ArrayList<>(List.of("./mvnw", "-B"));
        command.addAll(goal);
        int exit = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(LOG.toFile()).start().waitFor();
        List<String> log = Files.readAllLines(LOG);
        if (exit == 0) {
            record(mode, hash);
            String tests = log.stream().filter(l -> l.matches("\\[(INFO|WARNING)\\] Tests run:.*")).reduce((a, b) -> b)
                    .map(l -> l.replaceFirst("^\\[[A-Z]*\\] ", "")).orElse("no test report");
            say(tests + " in " + (System.nanoTime() - start) / 1_000_000_000L + "s: rolling out");
            return;
        }
        System.err.println("[verify] the tests FAILED: nothing is built, pushed or deployed; the running stack is untouched.");
        // Surefire lists the failing tests between "[ERROR] Failures:" (or "Errors:") and "[ERROR] Tests run:".
        List<String> failing = new ArrayList<>();
        boolean inList = false;
        for (String line : log) {
            if (line.matches("\\[ERROR\\] (Failures|Errors): *")) {
                inList = true;
            } else if (line.startsWith("[ERROR] Tests run:")) {
                inList = false;
            } else if (inList && line.startsWith("[ERROR]   ")) {
                failing.add("  " + line.substring("[ERROR]   ".length()));
            }
        }
        if (!failing.isEmpty()) {
            System.err.println("[verify] failing tests:");
            failing.forEach(System.err::println);
        } else {
            System.err.println("[verify] the build failed before the tests ran:");
            log.stream().filter(l -> l.startsWith("[ERROR]")).limit(15).forEach(System.err::println);
        }
        System.err.println("[verify] reports: target/surefire-reports/" + (mode.equals("full") ? " and target/failsafe-reports/" : "")
                + "; full log: " + LOG);
        System.exit(1);
    }

    /**
     * The files the hash covers, sorted. A copy without .git (a tarball) is listed through a throwaway repository,
     * which still honours .gitignore.
     */
    static List<String> treeFiles() throws Exception {
        List<String> git = new ArrayList<>(List.of("git"));
        Path scratch = null;
        if (!run(List.of("git", "rev-parse", "--is-inside-work-tree")).equals("true")) {
            scratch = Files.createTempDirectory("verify-gate");
            run(List.of("git", "--git-dir=" + scratch, "init", "-q"));
            git.addAll(List.of("--git-dir=" + scratch, "--work-tree=."));
        }
        git.addAll(List.of("ls-files", "-z", "--cached", "--others", "--exclude-standard"));
        TreeSet<String> files = new TreeSet<>();
        for (String file : run(git).split("\0")) {
            if (!file.isEmpty() && !file.endsWith(".md") && !file.startsWith("docs/") && Files.isRegularFile(Path.of(file))) {
                files.add(file);
            }
        }
        if (scratch != null) {
            run(List.of("rm", "-rf", scratch.toString()));
        }
        return List.copyOf(files);
    }

    /** By name and content. Without git nothing tells what changed: a hash no pass ever matched, so the tests run. */
    static String treeHash() throws Exception {
        if (!run(List.of("sh", "-c", "command -v git || true")).contains("git")) {
            return "no-git-" + System.nanoTime();
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String file : treeFiles()) {
            digest.update((file + "\0").getBytes());
            digest.update(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(Path.of(file))));
        }
        return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    }

    static boolean passed(String mode, String hash) throws IOException {
        return Files.exists(PASSES) && Files.readAllLines(PASSES).stream()
                .anyMatch(l -> l.equals(mode + " " + hash) || l.equals("full " + hash));
    }

    static void record(String mode, String hash) throws IOException {
        if (!passed(mode, hash)) {
            Files.writeString(PASSES, mode + " " + hash + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** The command's output, trimmed; its output goes to a file, so a command that hangs is killed after a minute. */
    static String run(List<String> command) throws Exception {
        Path out = Files.createTempFile("verify-gate", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectOutput(out.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw fail(2, String.join(" ", command) + " did not finish within 60 s");
            }
            return Files.readString(out).trim();
        } finally {
            Files.delete(out);
        }
    }

    static void say(String message) {
        System.out.println("[verify] " + message);
    }

    static IllegalStateException fail(int code, String message) {
        System.err.println("[verify] " + message);
        System.exit(code);
        return new IllegalStateException(message);
    }
}
