package io.github.reqcount.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.reqcount.support.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/scripts/ensure-secrets.sh, which every deploy runs first: a bad secret file stops it, naming the file. */
class EnsureSecretsTest {

    @TempDir
    Path dir;

    /** Every secret in a file of this test's own, so that no run writes into the checkout's ./secrets. */
    private Map<String, String> allSecretsIn(Path folder) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("REDIS_PASSWORD", "REDIS_ADMIN_PASSWORD", "REDIS_MONITORING_PASSWORD",
                "REDIS_REPLICATION_PASSWORD", "REDIS_SENTINEL_PASSWORD")) {
            env.put(name + "_FILE", Files.writeString(folder.resolve(name), "a-password-for-" + name).toString());
        }
        return env;
    }

    private Command.Result ensureSecrets(Map<String, String> env) throws IOException, InterruptedException {
        var builder = new ProcessBuilder("bash", "deploy/scripts/ensure-secrets.sh");
        builder.environment().remove("REDIS_AUTH");
        builder.environment().putAll(env);
        return Command.run(builder, Duration.ofSeconds(30));
    }

    @Test
    void aSecretFileYouNamedMustExist() throws Exception {
        Path missing = dir.resolve("no-such-password");
        Command.Result run = ensureSecrets(Map.of("REDIS_PASSWORD_FILE", missing.toString()));
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains(missing.toString()).contains("no such file");
        assertThat(missing).doesNotExist();
    }

    @Test
    void anEmptySecretFileStopsTheDeploy() throws Exception {
        Path empty = Files.createFile(dir.resolve("admin"));
        var env = allSecretsIn(dir);
        env.put("REDIS_ADMIN_PASSWORD_FILE", empty.toString());
        Command.Result run = ensureSecrets(env);
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains(empty + " (secret redis-admin-password) is empty");
    }

    @Test
    void goodSecretFilesPass() throws Exception {
        var env = allSecretsIn(dir);
        Command.Result run = ensureSecrets(env);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("redis-password from " + env.get("REDIS_PASSWORD_FILE"))
                .contains("redis-sentinel-password from " + env.get("REDIS_SENTINEL_PASSWORD_FILE"));
    }

    @Test
    void optingOutWarnsLoudlyAndStillEnsuresTheSecretsTheStackFilesName() throws Exception {
        var env = allSecretsIn(dir);
        env.put("REDIS_AUTH", "false");
        Command.Result run = ensureSecrets(env);
        assertThat(run.exit()).isZero();
        assertThat(run.output()).contains("WARNING: REDIS_AUTH=false");
    }
}
