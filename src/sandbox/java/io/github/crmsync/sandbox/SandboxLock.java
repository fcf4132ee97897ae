package io.github.crmsync.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A sandbox's claim on its data directory: an OS file lock on {@code sandbox.lock} in it, held for as
 * long as the sandbox runs, with the holder's process id written inside. The operating system
 * releases it when the process ends however it ends (even {@code kill -9}), so whoever takes it
 * knows that no live sandbox uses the directory, and whatever still runs on it (PostgreSQL) was left
 * by a dead one.
 */
public final class SandboxLock implements AutoCloseable {

    static final String FILE_NAME = "sandbox.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private SandboxLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code dataDirectory}, or fails naming the directory and the live sandbox holding it. */
    public static SandboxLock acquire(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        Path file = dataDirectory.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process (a second sandbox in one JVM)
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new InUseException(dataDirectory.toAbsolutePath(), holder.isEmpty() ? "unknown" : holder);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new SandboxLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** Another sandbox that is still running owns the data directory. */
    public static final class InUseException extends IllegalStateException {
        InUseException(Path dataDirectory, String holderPid) {
            super("The sandbox data directory " + dataDirectory + " is in use by a sandbox that is still running "
                    + "(process " + holderPid + "). Stop that one first, or give this one its own crmsync.sandbox.data-dir.");
        }
    }
}
