package io.github.crmsync;

import io.github.crmsync.sandbox.InProcessSandbox;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the service finds its sandbox; the production jar itself is checked by ProductionArtifactIT. */
class SandboxProviderTest {

    @Test
    void theSandboxIsFoundOnTheClassPathOfTheTestsAndOfExecJava() {
        assertThat(SandboxProvider.find(getClass().getClassLoader())).isInstanceOf(InProcessSandbox.class);
    }

    @Test
    void withoutItSandboxModeFailsNamingWhatIsMissingAndWhatToDoInstead() {
        ClassLoader withoutSandbox = new ClassLoader(null) {
        };
        assertThatThrownBy(() -> SandboxProvider.find(withoutSandbox))
                .hasMessageContaining("crmsync.mode=sandbox, but the sandbox is not in this build")
                .hasMessageContaining("mvn -B -q compile exec:java")
                .hasMessageContaining("CRMSYNC_MODE=live");
    }
}
