package dev.switchboard.runtime.format;

import static dev.switchboard.runtime.format.SmsEncoding.GSM_7;
import static dev.switchboard.runtime.format.SmsEncoding.UCS_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentCounterTest {

    private static final String EMOJI = "\uD83D\uDE00";

    @Test
    void countsNothingForTheEmptyText() {
        assertThat(SegmentCounter.count("")).isEqualTo(new Segments(GSM_7, 0, 0));
    }

    @ParameterizedTest(name = "{0} GSM-7 characters cost {1} segment(s)")
    @CsvSource({"1, 1", "160, 1", "161, 2", "306, 2", "307, 3", "1600, 11"})
    void countsGsm7Segments(int length, int segments) {
        assertThat(SegmentCounter.count("a".repeat(length))).isEqualTo(new Segments(GSM_7, segments, length));
    }

    @Test
    void countsExtensionCharactersAsTwoSeptets() {
        assertThat(SegmentCounter.count("€".repeat(80))).isEqualTo(new Segments(GSM_7, 1, 160));
        assertThat(SegmentCounter.count("{".repeat(81))).isEqualTo(new Segments(GSM_7, 2, 162));
        assertThat(SegmentCounter.count("^{}\\[~]|€\f")).isEqualTo(new Segments(GSM_7, 1, 20));
    }

    @Test
    void neverSplitsAnExtensionCharacterAcrossSegments() {
        String text = "a".repeat(152) + "{" + "a".repeat(152);

        // 306 septets would fit two segments of 153, but the escape and its character stay together
        assertThat(SegmentCounter.count(text)).isEqualTo(new Segments(GSM_7, 3, 306));
    }

    @ParameterizedTest(name = "{0} UCS-2 characters cost {1} segment(s)")
    @CsvSource({"1, 1", "70, 1", "71, 2", "134, 2", "135, 3"})
    void countsUcs2Segments(int length, int segments) {
        assertThat(SegmentCounter.count("ą".repeat(length))).isEqualTo(new Segments(UCS_2, segments, length));
    }

    @Test
    void countsAnEmojiAsTwoUnitsAndNeverSplitsIt() {
        assertThat(SegmentCounter.count(EMOJI.repeat(35))).isEqualTo(new Segments(UCS_2, 1, 70));
        assertThat(SegmentCounter.count(EMOJI.repeat(36))).isEqualTo(new Segments(UCS_2, 2, 72));
        String straddling = "ą".repeat(66) + EMOJI + "ą".repeat(66);
        assertThat(SegmentCounter.count(straddling)).isEqualTo(new Segments(UCS_2, 3, 134));
    }

    @Test
    void switchesTheWholeTextToUcs2ForOneCurlyQuote() {
        String text = "It's ".repeat(40);

        assertThat(SegmentCounter.count(text).encoding()).isEqualTo(GSM_7);
        assertThat(SegmentCounter.count(text.replace('\'', '\u2019'))).isEqualTo(new Segments(UCS_2, 3, 200));
    }

    @Test
    void knowsTheGsm7Alphabet() {
        assertThat(SegmentCounter.isGsm7("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"))
                .isTrue();
        assertThat(SegmentCounter.isGsm7("`")).isFalse();
        assertThat(SegmentCounter.isGsm7("á")).isFalse();
        assertThat(SegmentCounter.isGsm7("\u001B")).isFalse();
        assertThat(SegmentCounter.isGsm7('\uD83D')).isFalse();
    }

    @Test
    void addsUpTheSegmentsOfTheParts() {
        assertThat(SegmentCounter.totalSegments(List.of("a".repeat(161), EMOJI, "")))
                .isEqualTo(3);
    }

    @Test
    void rejectsNegativeCounts() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Segments(GSM_7, -1, 0))
                .withMessage("count must not be negative: -1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Segments(UCS_2, 0, -2))
                .withMessage("units must not be negative: -2");
    }

    @Test
    void describesEachEncodingsCapacity() {
        assertThat(GSM_7.singleSegmentUnits()).isEqualTo(160);
        assertThat(GSM_7.multiSegmentUnits()).isEqualTo(153);
        assertThat(UCS_2.singleSegmentUnits()).isEqualTo(70);
        assertThat(UCS_2.multiSegmentUnits()).isEqualTo(67);
    }
}
