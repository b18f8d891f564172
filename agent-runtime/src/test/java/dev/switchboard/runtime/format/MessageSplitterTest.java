package dev.switchboard.runtime.format;

import static dev.switchboard.runtime.format.MessageSplitterPropertiesTest.reassemble;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageSplitterTest {

    private static final String SENTENCE = "The quick brown fox jumps over the lazy dog. ";

    @Test
    void defaultsToTwiliosLimitWithoutNumbering() {
        MessageSplitter splitter = MessageSplitter.builder().maxLength(1600).build();

        assertThat(splitter.maxLength()).isEqualTo(1600);
        assertThat(splitter.partNumbering()).isFalse();
    }

    @Test
    void rejectsALimitThatCannotHoldASurrogatePair() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> MessageSplitter.of(1))
                .withMessage("maxLength must be at least 2 (one surrogate pair): 1");
    }

    @Test
    void returnsATextWithinTheLimitUnchanged() {
        String text = "  exactly twenty!  \n";

        assertThat(MessageSplitter.of(text.length()).split(text)).containsExactly(text);
    }

    @Test
    void returnsNoPartForABlankText() {
        assertThat(MessageSplitter.of(10).split(" \n\t ")).isEmpty();
        assertThat(MessageSplitter.of(10).split("")).isEmpty();
    }

    @Test
    void prefersAParagraphBreak() {
        String text = "First paragraph. It has two sentences.\n\nSecond line one.\nSecond line two and more";

        List<String> parts = MessageSplitter.of(70).split(text);

        assertThat(parts)
                .containsExactly(
                        "First paragraph. It has two sentences.", "Second line one.\nSecond line two and more");
    }

    @Test
    void prefersALineBreakToASentenceEnd() {
        String text = "Line one. Still line one\nline two. Still line two, and some more";

        assertThat(MessageSplitter.of(40).split(text))
                .containsExactly("Line one. Still line one", "line two. Still line two, and some more");
    }

    @Test
    void prefersASentenceEndToASpace() {
        String text = "One sentence here. Another one that runs on and on";

        assertThat(MessageSplitter.of(30).split(text))
                .containsExactly("One sentence here.", "Another one that runs on and", "on");
    }

    @Test
    void cutsAtASpaceInsideALongSentence() {
        String text = "alpha beta gamma delta epsilon zeta eta theta";

        assertThat(MessageSplitter.of(20).split(text))
                .containsExactly("alpha beta gamma", "delta epsilon zeta", "eta theta");
    }

    @Test
    void doesNotLetAShortFirstParagraphBecomeAPartOfItsOwn() {
        String text = "Hi!\n\n" + SENTENCE.repeat(3) + "\n\nThe end.";

        List<String> parts = MessageSplitter.of(120).split(text);

        assertThat(parts.get(0)).startsWith("Hi!\n\nThe quick");
        reassemble(text, parts);
    }

    @Test
    void keepsAHeadingWithTheParagraphItIntroduces() {
        String text = SENTENCE.repeat(2).strip() + "\n\nNext steps\n\n"
                + SENTENCE.repeat(2).strip();

        List<String> parts = MessageSplitter.of(110).split(text);

        assertThat(parts).hasSize(2);
        assertThat(parts.get(1)).startsWith("Next steps\n\n");
    }

    @Test
    void keepsALineEndingInAColonWithWhatFollows() {
        String text = "Some context first.\nYou will need:\n- flour\n- eggs\n- milk";

        List<String> parts = MessageSplitter.of(36).split(text);

        assertThat(parts.get(0)).isEqualTo("Some context first.");
        assertThat(parts.get(1)).startsWith("You will need:\n- flour");
    }

    @Test
    void cutsHardOnlyInsideARunLongerThanAPart() {
        String url = "https://example.com/" + "a".repeat(40);
        String text = "see " + url + " now";

        List<String> parts = MessageSplitter.of(25).split(text);

        assertThat(parts.get(0)).isEqualTo("see");
        assertThat(parts.get(1)).isEqualTo(url.substring(0, 25));
        assertThat(String.join("", parts.subList(1, parts.size()))).isEqualTo(url + " now");
    }

    @Test
    void neverCutsInsideASurrogatePair() {
        String text = "ab" + "\uD83D\uDE00".repeat(10);

        List<String> parts = MessageSplitter.of(5).split(text);

        assertThat(parts)
                .containsExactly(
                        "ab\uD83D\uDE00",
                        "\uD83D\uDE00\uD83D\uDE00",
                        "\uD83D\uDE00\uD83D\uDE00",
                        "\uD83D\uDE00\uD83D\uDE00",
                        "\uD83D\uDE00\uD83D\uDE00",
                        "\uD83D\uDE00");
    }

    @Test
    void avoidsCuttingAnEmojiFromItsSkinToneOrAFlagInTwo() {
        String thumbs = "\uD83D\uDC4D\uD83C\uDFFD";
        String flag = "\uD83C\uDDEB\uD83C\uDDF7";

        assertThat(MessageSplitter.of(6).split(thumbs + thumbs)).containsExactly(thumbs, thumbs);
        assertThat(MessageSplitter.of(6).split(flag + flag)).containsExactly(flag, flag);
    }

    @Test
    void keepsTheIndentationOfTheLineThatStartsAPart() {
        String text = "- first item with words\n  - nested item with words";

        assertThat(MessageSplitter.of(30).split(text))
                .containsExactly("- first item with words", "  - nested item with words");
    }

    @Test
    void numbersThePartsWithinTheLimit() {
        String text = SENTENCE.repeat(3).strip();

        List<String> parts = MessageSplitter.builder()
                .maxLength(60)
                .partNumbering(true)
                .build()
                .split(text);

        assertThat(parts)
                .containsExactly(
                        "(1/3) The quick brown fox jumps over the lazy dog.",
                        "(2/3) The quick brown fox jumps over the lazy dog.",
                        "(3/3) The quick brown fox jumps over the lazy dog.");
        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(60));
    }

    @Test
    void reservesRoomForTwoDigitPartNumbers() {
        String text = "word ".repeat(200).strip();

        List<String> parts = MessageSplitter.builder()
                .maxLength(30)
                .partNumbering(true)
                .build()
                .split(text);

        assertThat(parts.size()).isGreaterThanOrEqualTo(10);
        assertThat(parts.get(0)).startsWith("(1/" + parts.size() + ") ");
        assertThat(parts.get(parts.size() - 1)).startsWith("(" + parts.size() + "/" + parts.size() + ") ");
        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isLessThanOrEqualTo(30));
    }

    @Test
    void leavesASinglePartUnnumbered() {
        MessageSplitter splitter =
                MessageSplitter.builder().maxLength(20).partNumbering(true).build();

        assertThat(splitter.split("short")).containsExactly("short");
        assertThat(splitter.split("short" + " ".repeat(40))).containsExactly("short");
    }

    @Test
    void leavesNumberingOutWhenItWouldTakeMostOfAPart() {
        MessageSplitter splitter =
                MessageSplitter.builder().maxLength(8).partNumbering(true).build();

        assertThat(splitter.split("abcd efgh ijkl")).containsExactly("abcd", "efgh", "ijkl");
    }

    @ParameterizedTest
    @ValueSource(ints = {1601, 1606, 2000, 3199, 3200, 3201, 4096})
    void splitsRepliesBetween1601And4096CharactersIntoPartsWithinTwiliosLimit(int length) {
        String text = prose(length);

        List<String> parts = MessageSplitter.of(1600).split(text);

        assertThat(parts.size()).isBetween((length + 1599) / 1600, (length + 1599) / 1600 + 1);
        assertThat(parts).allSatisfy(part -> assertThat(part.length()).isBetween(1, 1600));
        reassemble(text, parts);
    }

    /** Realistic prose of exactly {@code length} characters: sentences, paragraphs and a list. */
    static String prose(int length) {
        String[] pieces = {
            "Thanks for the details. ",
            "I checked the order and it left the warehouse on Monday. ",
            "It should arrive by Thursday, weather permitting.\n\n",
            "Here is what you can do meanwhile:\n",
            "- track it with the link in your email\n",
            "- ask a neighbour to take it in\n\n",
            "If it has not arrived by Friday, reply here and I will open a claim. ",
        };
        StringBuilder out = new StringBuilder(length + 100);
        for (int i = 0; out.length() < length; i++) {
            out.append(pieces[i % pieces.length]);
        }
        out.setLength(length);
        if (Character.isWhitespace(out.charAt(length - 1))) {
            out.setCharAt(length - 1, '.');
        }
        return out.toString();
    }

    @Test
    void needsTheChannelsLimit() {
        assertThatThrownBy(() -> MessageSplitter.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxLength is required");
    }
}
