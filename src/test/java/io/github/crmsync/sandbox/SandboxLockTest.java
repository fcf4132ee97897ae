package io.github.crmsync.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A data directory has one sandbox at a time; the refusal names the directory and the sandbox holding it. */
class SandboxLockTest {

    @TempDir
    Path dataDir;

    @Test
    void aSecondClaimIsRefusedNamingTheDirectoryAndTheHolderUntilTheFirstIsReleased() throws Exception {
        long self = ProcessHandle.current().pid();
        try (SandboxLock first = SandboxLock.acquire(dataDir)) {
            assertThat(Files.readString(dataDir.resolve("sandbox.lock")).trim()).isEqualTo(Long.toString(self));
            assertThatThrownBy(() -> SandboxLock.acquire(dataDir))
                    .isInstanceOf(SandboxLock.InUseException.class)
                    .hasMessage("The sandbox data directory " + dataDir.toAbsolutePath() + " is in use by a sandbox that "
                            + "is still running (process " + self + "). Stop that one first, or give this one its own "
                            + "crmsync.sandbox.data-dir.");
        }
        try (SandboxLock again = SandboxLock.acquire(dataDir)) {
            assertThat(again).isNotNull();
        }
    }
}
