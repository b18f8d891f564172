package dev.switchboard.runtime.format;

import static dev.switchboard.runtime.format.MessageSplitterPropertiesTest.reassemble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarkdownFormatterTest {

    private static final ChannelCapabilities SMS = new ChannelCapabilities(1600, TextFlavour.PLAIN, true, true);
    private static final ChannelCapabilities WHATSAPP =
            new ChannelCapabilities(1600, TextFlavour.WHATSAPP, true, false);

    @Test
    void defaultsToNoNumberingAndNoNormalisation() {
        MarkdownFormatter formatter = MarkdownFormatter.defaults();

        assertThat(formatter.partNumbering()).isFalse();
        assertThat(formatter.gsmNormalisation()).isFalse();
        assertThat(formatter).hasToString("MarkdownFormatter[partNumbering=false, gsmNormalisation=false]");
    }

    @Test
    void rendersForTheChannelsFlavour() {
        ReplyFormatter formatter = MarkdownFormatter.defaults();

        assertThat(formatter.format("**Hi** _there_", SMS)).containsExactly("Hi there");
        assertThat(formatter.format("**Hi** _there_", WHATSAPP)).containsExactly("*Hi* _there_");
    }

    @Test
    void returnsNoPartForAReplyThatRendersToNothing() {
        assertThat(MarkdownFormatter.defaults().format("<!-- nothing -->\n\n", SMS))
                .isEmpty();
    }

    @Test
    void sendsA1606CharacterEchoAsTwoOrderedPartsWithinTheLimit() {
        String echo = MessageSplitterTest.prose(1606);

        List<String> parts = MarkdownFormatter.defaults().format(echo, SMS);

        assertThat(parts).hasSize(2);
        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(1600));
        assertThat(parts.get(0)).startsWith("Thanks for the details.");
        reassemble(MarkdownRenderer.create().render(echo, TextFlavour.PLAIN), parts);
    }

    @ParameterizedTest
    @ValueSource(ints = {1601, 2500, 4096})
    void sendsEveryCharacterOfALongReply(int length) {
        String reply = "word ".repeat(length / 5);

        List<String> parts = MarkdownFormatter.defaults().format(reply, SMS);

        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(1600));
        assertThat(String.join(" ", parts)).isEqualTo(reply.strip());
    }

    @Test
    void splitsToTheChannelsLimit() {
        ChannelCapabilities small = new ChannelCapabilities(20, TextFlavour.PLAIN, false, true);

        assertThat(MarkdownFormatter.defaults().format("**one** two three four five six", small))
                .containsExactly("one two three four", "five six");
    }

    @Test
    void numbersThePartsWhenAsked() {
        ChannelCapabilities small = new ChannelCapabilities(30, TextFlavour.PLAIN, false, true);
        MarkdownFormatter formatter =
                MarkdownFormatter.builder().partNumbering(true).build();

        assertThat(formatter.format("one two three four five *six* seven eight nine ten", small))
                .containsExactly("(1/2) one two three four five", "(2/2) six seven eight nine ten");
    }

    @Test
    void rejectsAChannelLimitTooSmallForASurrogatePair() {
        ChannelCapabilities tiny = new ChannelCapabilities(1, TextFlavour.PLAIN, false, true);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> MarkdownFormatter.defaults().format("hi", tiny));
    }

    @Test
    void rejectsNulls() {
        MarkdownFormatter formatter = MarkdownFormatter.defaults();

        assertThatNullPointerException().isThrownBy(() -> formatter.format(null, SMS));
        assertThatNullPointerException().isThrownBy(() -> formatter.format("x", null));
    }

    @Test
    void normalisesTypographicCharactersOnlyWhenAsked() {
        String reply = "It\u2019s \u201Cready\u201D \u2013 go\u2026";

        assertThat(MarkdownFormatter.defaults().format(reply, SMS)).containsExactly(reply);
        assertThat(MarkdownFormatter.builder().gsmNormalisation(true).build().format(reply, SMS))
                .containsExactly("It's \"ready\" - go...");
    }

    @Test
    void normalisesEachPartThatCanStayGsm7AndLeavesTheOthersAsWritten() {
        String first = "It\u2019s a \u201Cplain\u201D paragraph. ".repeat(60).strip();
        String second = "This one ends with an emoji \u2013 it stays UCS-2 \uD83D\uDE00";
        MarkdownFormatter formatter =
                MarkdownFormatter.builder().gsmNormalisation(true).build();

        List<String> parts = formatter.format(first + "\n\n" + second, SMS);

        assertThat(parts).hasSize(2);
        assertThat(parts.get(0))
                .isEqualTo(first.replace('\u2019', '\'').replace('\u201C', '"').replace('\u201D', '"'));
        assertThat(SegmentCounter.count(parts.get(0)).encoding()).isEqualTo(SmsEncoding.GSM_7);
        assertThat(parts.get(1)).isEqualTo(second);
    }

    @Test
    void doesNotNormaliseForAChannelNotBilledPerSegment() {
        String reply = "It\u2019s ready";

        assertThat(MarkdownFormatter.builder().gsmNormalisation(true).build().format(reply, WHATSAPP))
                .containsExactly(reply);
    }

    @Test
    void closesAndReopensAWhatsAppCodeBlockCutInTwo() {
        StringBuilder code = new StringBuilder("Here you go:\n\n```\n");
        for (int i = 0; i < 200; i++) {
            code.append("line(").append(i).append(");\n");
        }
        code.append("```\n\nDone.");

        List<String> parts = MarkdownFormatter.defaults().format(code.toString(), WHATSAPP);

        assertThat(parts).hasSizeGreaterThan(1);
        for (String part : parts) {
            assertThat(part.length()).isLessThanOrEqualTo(1600);
            assertThat(part.split("```", -1).length % 2)
                    .as("fences balanced in %s", part)
                    .isEqualTo(1);
        }
        assertThat(parts.get(1)).startsWith("```line(");
    }

    @Test
    void givesEachPartsSegmentsForAChannelBilledPerSegment() {
        List<String> parts = MarkdownFormatter.defaults().format("Hello **there** \uD83D\uDC4B", SMS);

        assertThat(parts.stream().map(SegmentCounter::count)).containsExactly(new Segments(SmsEncoding.UCS_2, 1, 14));
    }
}
