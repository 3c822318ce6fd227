package io.github.reqcount.nemesis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** What the nemesis needs before it starts; each missing piece fails the run, saying what to do. */
final class Preflight {

    private static final List<String> TOOLS =
            List.of("ip", "iptables", "redis-server", "redis-sentinel", "redis-cli", "timeout", "sha256sum", "getent");

    private Preflight() {
    }

    /** Checks root and the tools, and returns the service jar to run. */
    static Path check() throws IOException {
        String uid = Shell.exec(Map.of(), List.of("id", "-u")).output().strip();
        if (!uid.equals("0")) {
            throw new IllegalStateException("the nemesis makes network namespaces and iptables rules: run it as root");
        }
        List<String> missing = TOOLS.stream().filter(tool -> !Shell.has(tool)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("missing " + missing + ": apt-get install redis-server redis-sentinel "
                    + "redis-tools iptables iproute2 coreutils");
        }
        return jar("nemesis.jar");
    }

    /** The service jar: the system property's path if given, else target/replicas-reqcount-*.jar. */
    static Path jar(String property) throws IOException {
        String configured = System.getProperty(property, "");
        if (!configured.isBlank()) {
            Path jar = Path.of(configured);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(property + " " + jar + " is no file");
            }
            return jar.toAbsolutePath();
        }
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(f -> f.getFileName().toString().matches("replicas-reqcount-.*\\.jar"))
                    .filter(f -> !f.getFileName().toString().endsWith("-plain.jar")).findFirst()
                    .map(Path::toAbsolutePath)
                    .orElseThrow(() -> new IllegalStateException(
                            "no target/replicas-reqcount-*.jar: build it with ./mvnw -B -q -DskipTests package,"
                                    + " or give -D" + property + "=PATH"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("no target/: build the jar with ./mvnw -B -q -DskipTests package");
        }
    }
}
