package dev.switchboard.samples;

import static dev.switchboard.samples.TwilioModeGateway.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sample gateway's {@code SWITCHBOARD_INBOUND_LIMIT}. */
class GatewayInboundLimitTest {

    private static Map<String, String> env(String limit) {
        return TwilioModeGateway.env("SWITCHBOARD_INBOUND_LIMIT", limit);
    }

    @Test
    void limitsEachSenderToTheGivenMessagesAMinute() throws Exception {
        try (Gateway gateway = Gateway.start(env("2"), TwilioModeGateway.CONSOLE)) {
            int port = gateway.runtime().port();

            assertThat(List.of(text(port, 1, "hi"), text(port, 2, "hi"), text(port, 3, "hi")))
                    .containsExactly(200, 200, 429);
        }
    }

    @Test
    void zeroTurnsTheLimitOff() throws Exception {
        try (Gateway gateway = Gateway.start(env("0"), TwilioModeGateway.CONSOLE)) {
            int port = gateway.runtime().port();

            for (int i = 0; i < 150; i++) {
                assertThat(text(port, i, "hi")).isEqualTo(200);
            }
        }
    }

    @Test
    void refusesAValueThatIsNotALimit() {
        for (String bad : List.of("abc", "-1", "100001")) {
            assertThatThrownBy(() -> Gateway.start(env(bad), TwilioModeGateway.CONSOLE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SWITCHBOARD_INBOUND_LIMIT must be a number of messages a minute per sender, 0 to"
                            + " 100000 (0 turns the limit off): " + bad);
        }
    }
}
