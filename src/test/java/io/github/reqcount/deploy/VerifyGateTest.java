package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.support.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/scripts/VerifyGate.java tests a tree once: a pass counts for every later rollout of the same tree, so the
 * tree's hash must cover every file a deploy uses. Run in a throwaway repository, with an ./mvnw that only says
 * it ran.
 */
class VerifyGateTest {

    @TempDir
    Path repo;

    private String gate() throws IOException, InterruptedException {
        return run(repo, Map.of("VERIFY", "fast"), "java", Path.of("deploy/scripts/VerifyGate.java").toAbsolutePath().toString());
    }

    private static String run(Path dir, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        var builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        // A bound for a hang, not a speed test: on a loaded machine one java File.java start has taken over 60 s.
        Command.Result run = Command.run(builder, Duration.ofMinutes(3));
        assertThat(run.exit()).as(String.join(" ", command) + ":\n" + run.output()).isZero();
        return run.output();
    }

    private void write(String file, String content) throws IOException {
        Path path = repo.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
    }

    @Test
    void editingAnyDeployedFileRunsTheTestsAgainAndEditingTheDocsDoesNot() throws Exception {
        write("mvnw", "#!/bin/sh\necho '[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0'\n");
        repo.resolve("mvnw").toFile().setExecutable(true);
        write(".gitignore", "target/\n.verified\n");
        List<String> deployed = List.of("deploy/haproxy/haproxy.cfg", "deploy/redis-ha/common.sh", "deploy/stack/ha.yml",
                "docker-stack.yml", "src/main/java/App.java", "Dockerfile");
        for (String file : deployed) {
            write(file, "first\n");
        }
        write("README.md", "first\n");
        write("docs/operations.md", "first\n");
        Map<String, String> git = Map.of("GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@t", "GIT_COMMITTER_NAME", "t",
                "GIT_COMMITTER_EMAIL", "t@t");
        run(repo, git, "git", "init", "-q");
        run(repo, git, "git", "add", "-A");
        run(repo, git, "git", "commit", "-qm", "first");

        assertThat(gate()).contains("VERIFY=fast: ./mvnw test");
        assertThat(gate()).contains("passed before for this tree");
        for (String file : deployed) {
            write(file, "edited, not committed\n");
            assertThat(gate()).as("after editing " + file).contains("VERIFY=fast: ./mvnw test");
        }
        write("deploy/stack/new-overlay.yml", "not added yet\n");
        assertThat(gate()).as("after a new file").contains("VERIFY=fast: ./mvnw test");

        write("README.md", "edited\n");
        write("docs/operations.md", "edited\n");
        assertThat(gate()).as("after editing only the docs").contains("passed before for this tree");
    }

    @Test
    void theHashCoversEveryTrackedFileButTheDocs() throws Exception {
        List<String> hashed = run(Path.of("."), Map.of(), "java", "deploy/scripts/VerifyGate.java", "--files").lines().toList();
        List<String> tracked = run(Path.of("."), Map.of(), "git", "ls-files").lines()
                .filter(f -> !f.endsWith(".md") && !f.startsWith("docs/") && Files.isRegularFile(Path.of(f))).toList();
        assertThat(hashed).containsAll(tracked).contains("deploy/haproxy/haproxy.cfg", "deploy/redis-ha/common.sh")
                .noneMatch(f -> f.endsWith(".md"));
    }
}
