package dev.switchboard.samples;

import static dev.switchboard.samples.TwilioModeGateway.ALICE;
import static dev.switchboard.samples.TwilioModeGateway.CONSOLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.schedule.PushOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample gateway's {@code SWITCHBOARD_OPT_OUT_FILE}: a STOP outlives a restart. */
class GatewayOptOutFileTest {

    @TempDir
    Path directory;

    private static Map<String, String> env(Path optOutFile) {
        return TwilioModeGateway.env("SWITCHBOARD_OPT_OUT_FILE", optOutFile.toString());
    }

    @Test
    void aStopOutlivesARestartAndRefusesThePushAfterIt() throws Exception {
        Path file = directory.resolve("opt-outs.txt");
        try (Gateway gateway = Gateway.start(env(file), CONSOLE)) {
            assertThat(TwilioModeGateway.text(gateway.runtime().port(), 1, "STOP"))
                    .isEqualTo(200);
            // The STOP is handled after the answer, on the runtime's executor.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(file).contains("out sms ") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(Files.readString(file)).as("the STOP, on disk").contains("out sms %2B15551230001");
        }

        // Were the opt-out forgotten, this push would reach for Twilio, where nothing listens, and be
        // retried for minutes rather than refused.
        try (Gateway restarted = Gateway.start(env(file), CONSOLE)) {
            PushOutcome push = restarted
                    .runtime()
                    .send("sms", Address.of(ALICE), "weekly digest")
                    .get(10, TimeUnit.SECONDS);

            assertThat(push.kind()).isEqualTo(PushOutcome.Kind.FAILED);
            assertThat(push.reason()).contains("opted out");
        }
    }

    @Test
    void aFileInADirectoryThatDoesNotExistIsRefusedNamingTheVariable() {
        Path file = directory.resolve("missing").resolve("opt-outs.txt");

        assertThatThrownBy(() -> Gateway.start(env(file), CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SWITCHBOARD_OPT_OUT_FILE=" + file + ": ")
                .hasMessageContaining("does not exist");
    }
}
