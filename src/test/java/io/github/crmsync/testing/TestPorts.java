package io.github.crmsync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for services a test starts later (the service, its management server, a replica), chosen
 * so that test JVMs running side by side (surefire forks, or two builds) never hand out the same
 * one. A port taken from the kernel with {@code bind(0)} and closed again can be given to another
 * JVM (or to an outgoing connection) before the service binds it; these come from a block below
 * the kernel's ephemeral range that this JVM holds by a file lock, and each is handed out once.
 */
final class TestPorts {

    private static final int BLOCK = 2_000;
    private static final int LOWEST = 10_000;
    private static final int START = claimBlock();
    private static final AtomicInteger NEXT = new AtomicInteger(START);
    private static FileLock held; // kept reachable: a collected channel would close and free the block

    private TestPorts() {
    }

    static int next() {
        while (true) {
            int port = NEXT.getAndUpdate(p -> p + 1 < START + BLOCK ? p + 1 : START);
            if (isFree(port)) {
                return port;
            }
        }
    }

    /** The first free block's start; the lock is held until this JVM exits. */
    private static int claimBlock() {
        int blocks = (ephemeralRangeStart() - LOWEST) / BLOCK;
        Path locks = Path.of(System.getProperty("java.io.tmpdir"), "crmsync-test-ports");
        try {
            Files.createDirectories(locks);
            for (int block = 0; block < blocks; block++) {
                FileChannel channel = FileChannel.open(locks.resolve(block + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    held = lock;
                    return LOWEST + block * BLOCK;
                }
                channel.close();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot claim a block of test ports under " + locks, e);
        }
        throw new IllegalStateException("all " + blocks + " blocks of test ports are held by other test JVMs");
    }

    private static int ephemeralRangeStart() {
        // read as a stream: /proc files report size 0, which Files.readString trusts
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default; other systems use a range above it too
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket any = new ServerSocket(port)) {
            return true; // the wildcard address conflicts with any listener on the port, loopback included
        } catch (IOException e) {
            return false;
        }
    }
}
