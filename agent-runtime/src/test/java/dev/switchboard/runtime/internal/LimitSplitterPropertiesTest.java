package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.TextFlavour;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

class LimitSplitterPropertiesTest {

    private final LimitSplitter splitter = new LimitSplitter();

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> words = Arbitraries.oneOf(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().alpha().ofMinLength(20).ofMaxLength(80),
                Arbitraries.of("\uD83D\uDE00", "\uD83D\uDC4D\uD83C\uDFFD", "é", "x\uD83D\uDE00y"));
        Arbitrary<String> gaps = Arbitraries.of(" ", "  ", "\n", "\n\n", "\t", " \n ");
        return words.list()
                .ofMaxSize(120)
                .flatMap(list -> gaps.list().ofSize(list.size()).map(spaces -> {
                    StringBuilder text = new StringBuilder();
                    for (int i = 0; i < list.size(); i++) {
                        text.append(list.get(i)).append(spaces.get(i));
                    }
                    return text.toString();
                }));
    }

    @Property
    void partsAreNonBlankWithinTheLimitAndWholePairs(
            @ForAll("texts") String text, @ForAll @IntRange(min = 2, max = 200) int limit) {
        List<String> parts = splitter.format(text, new ChannelCapabilities(limit, TextFlavour.PLAIN, false, true));

        Statistics.label("parts").collect(parts.size() < 2 ? "one or none" : "several");
        Statistics.label("parts").coverage(coverage -> coverage.check("several").percentage(p -> p > 20));
        for (String part : parts) {
            assertThat(part).isNotBlank();
            assertThat(part.length()).isLessThanOrEqualTo(limit);
            assertThat(Character.isLowSurrogate(part.charAt(0))).isFalse();
            assertThat(Character.isHighSurrogate(part.charAt(part.length() - 1)))
                    .isFalse();
        }
    }

    @Property
    void partsKeepEveryNonWhitespaceCharacterInOrder(
            @ForAll("texts") String text, @ForAll @IntRange(min = 2, max = 200) int limit) {
        List<String> parts = splitter.format(text, new ChannelCapabilities(limit, TextFlavour.PLAIN, false, true));

        assertThat(String.join("", parts).replaceAll("\\s", "")).isEqualTo(text.replaceAll("\\s", ""));
    }

    @Property
    void cutsOnlyAtWhitespaceWhenEveryWordFits(
            @ForAll("texts") String text, @ForAll @IntRange(min = 90, max = 200) int limit) {
        List<String> parts = splitter.format(text, new ChannelCapabilities(limit, TextFlavour.PLAIN, false, true));

        // Every word is at most 80 units, so joining the parts with a space restores the words.
        assertThat(String.join(" ", parts).split("\\s+"))
                .containsExactly(text.strip().split("\\s+"));
    }
}
