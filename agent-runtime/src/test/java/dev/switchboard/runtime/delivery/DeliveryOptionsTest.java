package dev.switchboard.runtime.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.FakeChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The delivery options of the runtime's builder and the values it reports. */
class DeliveryOptionsTest {

    private static final ConversationKey ALICE = new ConversationKey("sms", Address.of("+15551230001"));

    private static AgentRuntimeBuilder builder() {
        return AgentRuntime.builder().channel(FakeChannel.sms()).agent(turn -> Optional.empty());
    }

    @Test
    void refusesOptionsOutOfRangeNamingTheOptionAndTheValue() {
        assertThatThrownBy(() -> builder().maxSendAttempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSendAttempts must be at least 1: 0");
        assertThatThrownBy(() -> builder().maxSendDuration(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSendDuration must be positive: PT0S");
        assertThatThrownBy(() -> builder().retryBackoff(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryBackoff base must be positive: PT-1S");
        assertThatThrownBy(() -> builder().retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryBackoff max cannot be less than its base (PT2S): PT1S");
        assertThatThrownBy(() -> builder().outboundConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outboundConcurrency must be at least 1: 0");
        assertThatThrownBy(() -> builder().sendRate("sms", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sendRate for sms must be a positive number of messages a second: 0.0");
        assertThatThrownBy(() -> builder().sendRate("sms", Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sendRate for sms must be a positive number");
        assertThatThrownBy(() -> builder().helpText(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("helpText cannot be blank");
        assertThatThrownBy(() -> builder().deliveryConfirmationTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deliveryConfirmationTimeout cannot be negative: PT-1S");
    }

    @Test
    void refusesARateOrHelpTextForAChannelItDoesNotHave() {
        assertThatThrownBy(() -> builder().sendRate("whatsapp", 1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("sendRate names channel whatsapp, but the channels are [sms]");
        assertThatThrownBy(() -> builder().helpText("whatsapp", "help").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("helpText names channel whatsapp, but the channels are [sms]");
    }

    @Test
    void theInMemoryStoreKeepsOptOutsPerChannel() {
        OptOutStore store = OptOutStore.inMemory();

        store.optOut(ALICE);
        store.optOut(ALICE);

        assertThat(store.isOptedOut(ALICE)).isTrue();
        assertThat(store.isOptedOut(new ConversationKey("whatsapp", ALICE.counterpart())))
                .isFalse();
        store.optIn(ALICE);
        assertThat(store.isOptedOut(ALICE)).isFalse();
        assertThat(store.toString()).doesNotContain(ALICE.counterpart().value());
    }

    @Test
    void outcomesAreSafeToLog() {
        ReplyOutcome outcome = new ReplyOutcome(
                ReplyOutcome.Kind.FAILED,
                ALICE,
                List.of("SM1"),
                3,
                2,
                Optional.of("21211"),
                "part 2/3 refused",
                Optional.empty(),
                Instant.EPOCH);

        assertThat(outcome.toString())
                .contains("+1555***0001")
                .contains("failedPart=2")
                .doesNotContain("+15551230001");
        assertThatThrownBy(() -> new ReplyOutcome(
                        ReplyOutcome.Kind.FAILED,
                        ALICE,
                        List.of(),
                        1,
                        2,
                        Optional.empty(),
                        "x",
                        Optional.empty(),
                        Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new PartStatus(ALICE, 0, 1, "SM1", DeliveryStatus.SENT, Optional.empty(), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
