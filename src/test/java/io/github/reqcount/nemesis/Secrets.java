package io.github.reqcount.nemesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Throwaway secret files, as the stack's Docker secrets would hold them, in SECRETS_DIR for the redis-ha scripts. */
record Secrets(Path dir, String service, String admin) {

    static Secrets write(Path dir) {
        try {
            Files.createDirectories(dir);
            String service = random(), admin = random();
            Files.writeString(dir.resolve("redis-password"), service);
            Files.writeString(dir.resolve("redis-admin-password"), admin);
            Files.writeString(dir.resolve("redis-replication-password"), random());
            Files.writeString(dir.resolve("redis-sentinel-password"), random());
            return new Secrets(dir, service, admin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
