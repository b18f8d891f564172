package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import org.junit.jupiter.api.Test;

class LimitSplitterTest {

    private final LimitSplitter splitter = new LimitSplitter();

    private static ChannelCapabilities limit(int max) {
        return new ChannelCapabilities(max, TextFlavour.PLAIN, false, true);
    }

    @Test
    void keepsAShortTextWhole() {
        assertThat(splitter.format("  hello world \n", limit(1600))).containsExactly("hello world");
    }

    @Test
    void sendsNothingForABlankText() {
        assertThat(splitter.format(" \n\t ", limit(10))).isEmpty();
    }

    @Test
    void splitsAtTheLastWhitespaceBeforeTheLimit() {
        assertThat(splitter.format("aaa bbb ccc ddd", limit(8))).containsExactly("aaa bbb", "ccc ddd");
    }

    @Test
    void takesAWordThatEndsExactlyAtTheLimit() {
        assertThat(splitter.format("aaaa bbbb", limit(4))).containsExactly("aaaa", "bbbb");
    }

    @Test
    void cutsHardInsideARunWithNoWhitespace() {
        assertThat(splitter.format("abcdefghij", limit(4))).containsExactly("abcd", "efgh", "ij");
    }

    @Test
    void neverCutsASurrogatePair() {
        String emoji = "\uD83D\uDE00";
        assertThat(splitter.format("ab" + emoji + "cd", limit(3))).containsExactly("ab", emoji + "c", "d");
    }

    @Test
    void refusesALimitTooSmallForASurrogatePair() {
        assertThatThrownBy(() -> splitter.format("abc", limit(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageLength must be at least 2 to split text: 1");
    }
}
