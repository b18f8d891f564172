package dev.switchboard.samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The README's first command, checked: the same scenarios as {@link GatewayProcessTest}, run against
 * the shaded {@code samples/target/switchboard-samples.jar}. Runs in the {@code integration-test}
 * phase, once the jar exists.
 */
class ExecutableJarTest extends GatewayProcessTest {

    private static final Path JAR = Path.of("target", "switchboard-samples.jar").toAbsolutePath();

    @BeforeAll
    static void jarWasBuilt() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run this test after `package`");
        }
    }

    @Override
    List<String> command() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString());
    }
}
