package dev.switchboard.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import org.junit.jupiter.api.Test;

class MemoryIdsTest {

    @Test
    void aMemoryIdIsTheChannelAndTheAddressAndReadsBack() {
        ConversationKey key = new ConversationKey("whatsapp", Address.of("+15551234567"));
        assertThat(MemoryIds.of(key)).isEqualTo("whatsapp:+15551234567");
        assertThat(MemoryIds.conversation("whatsapp:+15551234567")).isEqualTo(key);
    }

    @Test
    void anAddressMayHoldAColonSinceTheIdSplitsAtTheFirst() {
        ConversationKey key = new ConversationKey("chat", Address.of("room:42"));
        assertThat(MemoryIds.conversation(MemoryIds.of(key))).isEqualTo(key);
    }

    @Test
    void aChannelIdWithAColonHasNoMemoryId() {
        assertThatThrownBy(() -> MemoryIds.of(new ConversationKey("sms:eu", Address.of("+15551234567"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sms:eu'")
                .hasMessageNotContaining("+15551234567");
    }

    @Test
    void anIdThatIsNoConversationIsNamedRedactedWhenItHoldsDigits() {
        assertThatThrownBy(() -> MemoryIds.conversation("default"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("memory id 'default' is not a conversation");
        assertThatThrownBy(() -> MemoryIds.conversation("sms:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sms:'");
        assertThatThrownBy(() -> MemoryIds.conversation(":+15551234567"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":+155***4567")
                .hasMessageNotContaining("+15551234567");
    }
}
