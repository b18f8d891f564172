package dev.switchboard.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

class MessageSplitterPropertiesTest {

    private static final Pattern NUMBER = Pattern.compile("\\((\\d+)/(\\d+)\\) ");

    @Property(tries = 3000)
    void everyPartIsWithinTheLimitAndNotBlank(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<String> parts = MessageSplitter.of(limit).split(text);

        Statistics.label("parts").collect(parts.size() < 2 ? String.valueOf(parts.size()) : "several");
        Statistics.label("parts").coverage(coverage -> coverage.check("several").percentage(p -> p > 40));
        for (String part : parts) {
            assertThat(part.length()).isLessThanOrEqualTo(limit);
            assertThat(part).isNotBlank();
        }
    }

    @Property(tries = 3000)
    void partsGiveBackTheTextUpToTheWhitespaceAtTheCuts(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<String> parts = MessageSplitter.of(limit).split(text);

        List<Integer> cuts = reassemble(text, parts);
        boolean besidePair = cuts.stream()
                .anyMatch(cut -> cut > 0
                        && cut < text.length()
                        && !Character.isWhitespace(text.charAt(cut))
                        && (Character.isHighSurrogate(text.charAt(cut))
                                || Character.isLowSurrogate(text.charAt(cut - 1))));
        Statistics.label("hard cut beside a surrogate pair").collect(besidePair);
        Statistics.label("hard cut beside a surrogate pair")
                .coverage(coverage -> coverage.check(true).percentage(p -> p > 5));
    }

    @Property(tries = 3000)
    void noPartBreaksASurrogatePair(@ForAll("texts") String text, @ForAll("limits") int limit) {
        for (String part : MessageSplitter.of(limit).split(text)) {
            assertThat(Character.isLowSurrogate(part.charAt(0)))
                    .as("part starts with a low surrogate")
                    .isFalse();
            assertThat(Character.isHighSurrogate(part.charAt(part.length() - 1)))
                    .as("part ends with a high surrogate")
                    .isFalse();
        }
    }

    @Property(tries = 2000)
    void aTextWithinTheLimitIsOnePartUnchanged(
            @ForAll("texts") String text, @ForAll("extra") int extra, @ForAll boolean numbering) {
        int limit = Math.max(2, text.length() + extra);
        MessageSplitter splitter = MessageSplitter.builder()
                .maxLength(limit)
                .partNumbering(numbering)
                .build();

        List<String> parts = splitter.split(text);

        if (text.isBlank()) {
            assertThat(parts).isEmpty();
        } else {
            assertThat(parts).containsExactly(text);
        }
    }

    @Property(tries = 1000)
    void splittingIsDeterministic(
            @ForAll("texts") String text, @ForAll("limits") int limit, @ForAll boolean numbering) {
        List<String> first = MessageSplitter.builder()
                .maxLength(limit)
                .partNumbering(numbering)
                .build()
                .split(text);
        List<String> second = MessageSplitter.builder()
                .maxLength(limit)
                .partNumbering(numbering)
                .build()
                .split(text);

        assertThat(second).isEqualTo(first);
    }

    @Property(tries = 2000)
    void aHardCutHappensOnlyInsideAnUnbrokenRun(@ForAll("texts") String text, @ForAll("limits") int limit) {
        List<String> parts = MessageSplitter.of(limit).split(text);
        List<Integer> cuts = reassemble(text, parts);

        boolean hard = false;
        for (int i = 0; i < parts.size() - 1; i++) {
            int cut = cuts.get(i);
            boolean nothingDropped = !Character.isWhitespace(text.charAt(cut));
            if (nothingDropped && !endsCjkSentence(parts.get(i))) {
                hard = true;
                assertThat(parts.get(i).strip())
                        .as("a part cut without whitespace holds no whitespace")
                        .doesNotContainPattern("\\s");
            }
        }
        Statistics.label("hard cut").collect(hard);
        Statistics.label("hard cut").coverage(coverage -> coverage.check(true).percentage(p -> p > 10));
    }

    @Property(tries = 2000)
    void numberedPartsFitTheLimitAndCountUp(@ForAll("texts") String text, @ForAll("numberedLimits") int limit) {
        MessageSplitter splitter =
                MessageSplitter.builder().maxLength(limit).partNumbering(true).build();

        List<String> parts = splitter.split(text);

        Statistics.label("numbered").collect(parts.size() > 1 && parts.get(0).startsWith("(1/"));
        Statistics.label("numbered").coverage(coverage -> coverage.check(true).percentage(p -> p > 30));
        List<String> unnumbered = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            assertThat(part.length()).isLessThanOrEqualTo(limit);
            Matcher number = NUMBER.matcher(part);
            if (parts.size() > 1 && number.lookingAt()) {
                assertThat(Integer.parseInt(number.group(1))).isEqualTo(i + 1);
                assertThat(Integer.parseInt(number.group(2))).isEqualTo(parts.size());
                part = part.substring(number.end());
            }
            assertThat(part).isNotBlank();
            unnumbered.add(part);
        }
        reassemble(text, unnumbered);
    }

    /**
     * Checks that the parts, in order, are the text with only whitespace left out between them, and
     * returns where each part ends in the text.
     */
    static List<Integer> reassemble(String text, List<String> parts) {
        List<Integer> ends = new ArrayList<>();
        int index = 0;
        for (String part : parts) {
            int start = index;
            while (!text.startsWith(part, start)) {
                assertThat(start < text.length() && Character.isWhitespace(text.charAt(start)))
                        .as("only whitespace is dropped before part %d at %d", ends.size() + 1, start)
                        .isTrue();
                start++;
            }
            index = start + part.length();
            ends.add(index);
        }
        assertThat(text.substring(index)).as("what follows the last part").isBlank();
        return ends;
    }

    private static boolean endsCjkSentence(String part) {
        char last = part.charAt(part.length() - 1);
        return last == '\u3002' || last == '\uFF01' || last == '\uFF1F';
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(2, 40)),
                Tuple.of(4, Arbitraries.integers().between(41, 400)),
                Tuple.of(1, Arbitraries.just(1600)));
    }

    @Provide
    Arbitrary<Integer> numberedLimits() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(2, 60)),
                Tuple.of(4, Arbitraries.integers().between(61, 400)),
                Tuple.of(1, Arbitraries.just(1600)));
    }

    @Provide
    Arbitrary<Integer> extra() {
        return Arbitraries.integers().between(0, 20);
    }

    /** Prose, long unbroken runs, whitespace runs, line breaks and emoji, mixed. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> word =
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> run =
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(20).ofMaxLength(700);
        Arbitrary<String> emoji = Arbitraries.of(
                "\uD83D\uDE00", // grinning face
                "\uD83D\uDC4D\uD83C\uDFFD", // thumbs up, medium skin tone
                "\uD83C\uDDEB\uD83C\uDDF7", // flag of France
                "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", // family
                "\u2764\uFE0F", // red heart
                "e\u0301",
                "\u00E9",
                "\uD835\uDC00"); // mathematical bold A
        Arbitrary<String> emojiRun = Arbitraries.frequencyOf(Tuple.of(3, emoji), Tuple.of(1, word))
                .list()
                .ofMinSize(3)
                .ofMaxSize(120)
                .map(pieces -> String.join("", pieces));
        Arbitrary<String> whitespace = Arbitraries.strings()
                .withChars(' ', ' ', ' ', '\t', '\u00A0')
                .ofMinLength(1)
                .ofMaxLength(8);
        Arbitrary<String> lineBreak =
                Arbitraries.of("\n", "\n\n", "\r\n", "\n  ", "\n    - ", "\n\n\n", " \n ", "\n\t");
        Arbitrary<String> sentenceEnd = Arbitraries.of(". ", "! ", "? ", ".\" ", "\u2026 ", ".) ");
        Arbitrary<String> cjk = Arbitraries.of("\u4F60\u597D\u3002", "\u8C22\u8C22\uFF01", "\u4E3A\u4EC0\u4E48\uFF1F");
        Arbitrary<String> token = Arbitraries.frequencyOf(
                Tuple.of(30, word),
                Tuple.of(30, Arbitraries.just(" ")),
                Tuple.of(5, whitespace),
                Tuple.of(6, lineBreak),
                Tuple.of(5, sentenceEnd),
                Tuple.of(3, run),
                Tuple.of(4, emoji),
                Tuple.of(2, emojiRun),
                Tuple.of(1, cjk));
        return token.list().ofMaxSize(250).map(tokens -> String.join("", tokens));
    }
}
