package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.samples.cli.CliContext;
import dev.switchboard.samples.cli.SwitchboardCli;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pairing end to end with the gateway and the command line on one SQLite file. */
class PairingSqliteEndToEndTest extends PairingEndToEndContract {

    @Override
    Map<String, String> database() {
        return Map.of("SWITCHBOARD_DATABASE_URL", "jdbc:sqlite:" + directory.resolve("switchboard.db"));
    }

    @Test
    void theDevPhoneTextsAsAStrangerWithAsNumberColon() throws Exception {
        String stranger = "+15551230005";

        devPhone()
                .run(new java.io.ByteArrayInputStream(
                        ("as " + stranger + ": hello\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        assertThat(next(stranger))
                .isEqualTo(dev.switchboard.runtime.pairing.PairingSettings.DEFAULT_ONBOARDING_MESSAGE);
        assertThat(next(HOME)).contains(stranger).contains("APPROVE ");
    }

    @Test
    void theCommandLineRefusesTheInMemoryStoreAndSaysWhy() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliContext context = new CliContext(
                Map.of(),
                directory,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                new BufferedReader(new StringReader("")),
                null);

        assertThat(SwitchboardCli.run(new String[] {"pairing", "list"}, context))
                .isEqualTo(2);
        assertThat(err.toString()).contains("pairing needs a durable store shared with the gateway");
    }
}
