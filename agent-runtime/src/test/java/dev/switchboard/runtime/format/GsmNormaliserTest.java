package dev.switchboard.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GsmNormaliserTest {

    @Test
    void replacesTypographicCharactersWhenThatMakesTheTextGsm7() {
        String text =
                "\u201CIt\u2019s ready\u201D \u2013 see \u2018A\u2019\u2014B\u2026 price\u00A0\u00A0$5\u200B \u2022 done";

        String normalised = GsmNormaliser.normalise(text);

        assertThat(normalised).isEqualTo("\"It's ready\" - see 'A'-B... price  $5 - done");
        assertThat(SegmentCounter.isGsm7(normalised)).isTrue();
    }

    @Test
    void leavesATextThatStaysUcs2AsWritten() {
        String text = "\u201CGreat\u201D \uD83D\uDE00";

        assertThat(GsmNormaliser.normalise(text)).isEqualTo(text);
        assertThat(GsmNormaliser.normalise("\u2018\u043F\u0440\u0438\u0432\u0435\u0442\u2019"))
                .isEqualTo("\u2018\u043F\u0440\u0438\u0432\u0435\u0442\u2019");
    }

    @Test
    void leavesAGsm7TextUnchanged() {
        String text = "Plain \"ASCII\" - with GSM extras: € { } and é";

        assertThat(GsmNormaliser.normalise(text)).isSameAs(text);
    }

    @Test
    void moreThanHalvesTheCostOfALongReplyWithOneCurlyQuote() {
        String text = "a".repeat(299) + "\u2019";

        assertThat(SegmentCounter.count(text).count()).isEqualTo(5);
        assertThat(SegmentCounter.count(GsmNormaliser.normalise(text)).count()).isEqualTo(2);
    }

    @Test
    void mapsEveryNormalisedCharacterBackToItsOriginal() {
        GsmNormaliser.Mapped mapped = GsmNormaliser.map("a\u2026b\u200Bc");

        assertThat(mapped.text()).isEqualTo("a...bc");
        assertThat(Arrays.copyOf(mapped.origin(), mapped.text().length())).containsExactly(0, 1, 1, 1, 2, 4);
    }
}
