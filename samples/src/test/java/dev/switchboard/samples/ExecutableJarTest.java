package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    /** The jar with a command: exit status and everything it printed. */
    private static ProcessOutcome runJar(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.directory(Files.createTempDirectory("switchboard-cli").toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the jar did not exit within 60 s: " + output);
        }
        return new ProcessOutcome(process.exitValue(), output);
    }

    private record ProcessOutcome(int status, String output) {}

    @Test
    void helpListsTheCommands() throws Exception {
        ProcessOutcome help = runJar(Map.of(), "--help");

        assertThat(help.status()).isZero();
        assertThat(help.output()).contains("setup").contains("doctor").contains("webhooks");
    }

    @Test
    void doctorWithoutAnAccountSaysWhichVariableIsMissingAndExitsTwo() throws Exception {
        ProcessOutcome doctor = runJar(Map.of(), "doctor");

        assertThat(doctor.status()).isEqualTo(2);
        assertThat(doctor.output()).contains("TWILIO_ACCOUNT_SID");
    }

    @Override
    List<String> command() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString());
    }
}
