package dev.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MessageIdShapeTest {

    private static final MessageIdShape SID = MessageIdShape.lettersThenHex(2, 32);

    @Test
    void matchesLettersThenLowerCaseHexOfTheGivenLengths() {
        assertThat(SID.matches("SM0123456789abcdef0123456789abcdef")).isTrue();
        assertThat(SID.matches("MM0123456789abcdef0123456789abcdef")).isTrue();
        assertThat(SID.matches("SM0123456789ABCDEF0123456789abcdef")).isFalse();
        assertThat(SID.matches("sm0123456789abcdef0123456789abcdef")).isFalse();
        assertThat(SID.matches("SM0123456789abcdef0123456789abcde")).isFalse();
        assertThat(SID.matches("S10123456789abcdef0123456789abcdef")).isFalse();
        assertThat(SID.matches("SM0123456789abcdef0123456789abcdeg")).isFalse();
    }

    @Test
    void anOpaqueShapeMatchesNothing() {
        assertThat(MessageIdShape.OPAQUE.isOpaque()).isTrue();
        assertThat(MessageIdShape.OPAQUE.matches("")).isFalse();
        assertThat(MessageIdShape.OPAQUE.matches("anything")).isFalse();
    }

    @Test
    void refusesImpossibleShapes() {
        assertThatThrownBy(() -> new MessageIdShape(-1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageIdShape.lettersThenHex(2, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hex digit");
    }

    @Test
    void capabilitiesWithoutAShapeHaveAnOpaqueOne() {
        assertThat(new ChannelCapabilities(160, TextFlavour.PLAIN, false, false).messageIds())
                .isEqualTo(MessageIdShape.OPAQUE);
    }
}
