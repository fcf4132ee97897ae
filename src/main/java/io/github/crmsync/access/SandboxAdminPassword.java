package io.github.crmsync.access;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The sandbox's admin password when none is configured: random at first start, then kept in the
 * data directory (readable by its owner only) so that a restart does not log everyone out.
 */
public final class SandboxAdminPassword {

    static final String FILE = "admin-password";

    private SandboxAdminPassword() {
    }

    public static String readOrCreate(Path dataDir) {
        return readOrCreate(dataDir, FILE);
    }

    /** The same for another of the sandbox's own passwords (the operator's), kept in {@code fileName}. */
    public static String readOrCreate(Path dataDir, String fileName) {
        Path file = dataDir.resolve(fileName);
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
                Files.delete(file);
            }
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.createDirectories(dataDir);
            // owner-only where the file system has POSIX permissions; elsewhere (Windows) its defaults
            boolean posix = Files.getFileStore(dataDir).supportsFileAttributeView(PosixFileAttributeView.class);
            try {
                if (posix) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } else {
                    Files.createFile(file);
                }
            } catch (FileAlreadyExistsException e) {
                return readOrCreate(dataDir, fileName);
            }
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the sandbox admin password in " + file, e);
        }
    }
}
