package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.runtime.pairing.PairingSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The builder's pairing option: a channel it names must be added, and be a channel's id. */
class PairingBuilderTest {

    @Test
    void pairingForAChannelNotAddedFailsTheBuildNamingIt() {
        AgentRuntimeBuilder builder = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(turn -> Optional.empty())
                .pairing("whatsapp", PairingSettings.defaults());

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("pairing names channel whatsapp, but the channels are [sms]");
    }

    @Test
    void aChannelIdThatCannotBeOneIsRefused() {
        assertThatThrownBy(() -> AgentRuntime.builder().pairing(" ", PairingSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pairing channelId must be a channel's id: ' '");
        assertThatThrownBy(() -> AgentRuntime.builder().pairing("sms|x", PairingSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
