package dev.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void toStringShowsFirstFiveAndLastFour() {
        Address address = Address.of("+15551234567");
        assertThat(address.toString()).isEqualTo("+1555***4567");
        assertThat(address.value()).isEqualTo("+15551234567");
    }

    @Test
    void shortValuesRevealAtMostTwoCharacters() {
        assertThat(Address.of("+4412345").toString()).isEqualTo("***45");
        assertThat(Address.of("ab").toString()).isEqualTo("***");
    }

    @Test
    void conversationKeyAndMessagesNeverShowTheRawNumber() {
        Address from = Address.of("+15551234567");
        ConversationKey key = new ConversationKey("sms", from);
        OutboundMessage out = OutboundMessage.text(from, "secret body");
        assertThat(key.toString()).isEqualTo("sms:+1555***4567");
        assertThat(out.toString()).doesNotContain("+15551234567").doesNotContain("secret");
    }

    @Test
    void blankAddressIsRefused() {
        assertThatThrownBy(() -> Address.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalityIsByRawValue() {
        assertThat(Address.of("+15551234567")).isEqualTo(Address.of("+15551234567"));
        assertThat(Address.of("+15551234567")).isNotEqualTo(Address.of("+15551234568"));
    }
}
