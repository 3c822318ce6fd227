package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/ensure-secrets.sh, which every deploy runs first: a bad secret file stops it, naming the file. */
class EnsureSecretsTest {

    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    private Run ensureSecrets(Map<String, String> env) throws IOException, InterruptedException {
        var builder = new ProcessBuilder("bash", "scripts/ensure-secrets.sh").redirectErrorStream(true);
        builder.environment().remove("REDIS_AUTH");
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void aSecretFileYouNamedMustExist() throws Exception {
        Path missing = dir.resolve("no-such-password");
        Run run = ensureSecrets(Map.of("REDIS_PASSWORD_FILE", missing.toString()));
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains(missing.toString()).contains("no such file");
        assertThat(missing).doesNotExist();
    }

    @Test
    void anEmptySecretFileStopsTheDeploy() throws Exception {
        Path service = Files.writeString(dir.resolve("service"), "a-password");
        Path empty = Files.createFile(dir.resolve("admin"));
        Run run = ensureSecrets(Map.of("REDIS_PASSWORD_FILE", service.toString(), "REDIS_ADMIN_PASSWORD_FILE",
                empty.toString()));
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains(empty + " (secret redis-admin-password) is empty");
    }

    @Test
    void goodSecretFilesPass() throws Exception {
        Path service = Files.writeString(dir.resolve("service"), "a-password");
        Path admin = Files.writeString(dir.resolve("admin"), "another-password");
        Run run = ensureSecrets(Map.of("REDIS_PASSWORD_FILE", service.toString(), "REDIS_ADMIN_PASSWORD_FILE",
                admin.toString()));
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("redis-password from " + service).contains("redis-admin-password from " + admin);
    }

    @Test
    void optingOutWarnsLoudly() throws Exception {
        Run run = ensureSecrets(Map.of("REDIS_AUTH", "false"));
        assertThat(run.exit()).isZero();
        assertThat(run.output()).contains("WARNING: REDIS_AUTH=false");
    }
}
