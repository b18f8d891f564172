package dev.switchboard.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

class SegmentCounterPropertiesTest {

    @Property(tries = 2000)
    void countsWithinTheBoundsOfItsEncoding(@ForAll("texts") String text) {
        Segments segments = SegmentCounter.count(text);
        SmsEncoding encoding = segments.encoding();

        Statistics.label("encoding").collect(encoding, segments.count() > 1 ? "multi" : "single");
        Statistics.label("encoding").coverage(coverage -> {
            coverage.check(SmsEncoding.GSM_7, "multi").percentage(p -> p > 5);
            coverage.check(SmsEncoding.UCS_2, "multi").percentage(p -> p > 5);
        });
        assertThat(encoding == SmsEncoding.GSM_7).isEqualTo(SegmentCounter.isGsm7(text));
        if (encoding == SmsEncoding.UCS_2) {
            assertThat(segments.units()).isEqualTo(text.length());
        } else {
            assertThat(segments.units()).isBetween(text.length(), 2 * text.length());
        }
        int units = segments.units();
        if (units == 0) {
            assertThat(segments.count()).isZero();
        } else if (units <= encoding.singleSegmentUnits()) {
            assertThat(segments.count()).isEqualTo(1);
        } else {
            // a character of two units never straddles two segments, which may cost one unit each
            int perSegment = encoding.multiSegmentUnits();
            assertThat(segments.count()).isBetween(ceil(units, perSegment), ceil(units, perSegment - 1));
        }
    }

    @Property(tries = 2000)
    void normalisesToGsm7OrNotAtAllAndNeverCostsMore(@ForAll("texts") String text) {
        String normalised = GsmNormaliser.normalise(text);

        Statistics.label("normalised").collect(!normalised.equals(text));
        Statistics.label("normalised").coverage(coverage -> coverage.check(true).percentage(p -> p > 10));
        if (!normalised.equals(text)) {
            assertThat(SegmentCounter.isGsm7(normalised)).isTrue();
        }
        assertThat(SegmentCounter.count(normalised).count())
                .isLessThanOrEqualTo(SegmentCounter.count(text).count());
        assertThat(GsmNormaliser.normalise(normalised)).isEqualTo(normalised);
    }

    private static int ceil(int units, int perSegment) {
        return (units + perSegment - 1) / perSegment;
    }

    @Provide
    Arbitrary<String> texts() {
        // printable ASCII but the backtick, the one ASCII character GSM-7 lacks
        Arbitrary<String> ascii = Arbitraries.strings()
                .withCharRange(' ', '~')
                .excludeChars('`')
                .ofMinLength(1)
                .ofMaxLength(40);
        Arbitrary<String> extension = Arbitraries.of("{", "}", "[", "]", "~", "^", "\\", "|", "€");
        Arbitrary<String> typographic =
                Arbitraries.of("\u2019", "\u201C", "\u201D", "\u2013", "\u2014", "\u2026", "\u00A0");
        Arbitrary<String> ucs2 = Arbitraries.of("\uD83D\uDE00", "\u0105", "\u4F60", "\uD83C\uDDEB\uD83C\uDDF7");
        Arbitrary<String> gsm = Arbitraries.frequencyOf(Tuple.of(8, ascii), Tuple.of(1, extension));
        Arbitrary<String> typographicOnly =
                Arbitraries.frequencyOf(Tuple.of(8, ascii), Tuple.of(1, extension), Tuple.of(1, typographic));
        Arbitrary<String> anything = Arbitraries.frequencyOf(
                Tuple.of(8, ascii), Tuple.of(1, extension), Tuple.of(1, typographic), Tuple.of(1, ucs2));
        return Arbitraries.oneOf(text(gsm), text(typographicOnly), text(anything));
    }

    private static Arbitrary<String> text(Arbitrary<String> piece) {
        return piece.list().ofMaxSize(40).map(pieces -> String.join("", pieces));
    }
}
