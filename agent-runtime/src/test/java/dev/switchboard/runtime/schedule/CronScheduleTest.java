package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    /** The next {@code count} fire times strictly after {@code after}. */
    private static List<ZonedDateTime> fireTimes(CronSchedule cron, String after, int count) {
        List<ZonedDateTime> times = new ArrayList<>();
        Instant t = ZonedDateTime.parse(after).toInstant();
        for (int i = 0; i < count; i++) {
            ZonedDateTime next = cron.next(t).orElseThrow();
            times.add(next);
            t = next.toInstant();
        }
        return times;
    }

    private static List<String> fireTimeStrings(CronSchedule cron, String after, int count) {
        return fireTimes(cron, after, count).stream()
                .map(ZonedDateTime::toString)
                .toList();
    }

    @Test
    void readsFiveFieldsAsUnixCron() {
        CronSchedule cron = CronSchedule.parse("0 9 * * MON-FRI", ZoneOffset.UTC);

        assertThat(fireTimeStrings(cron, "2024-03-08T09:00Z", 3))
                .containsExactly("2024-03-11T09:00Z", "2024-03-12T09:00Z", "2024-03-13T09:00Z");
    }

    @Test
    void readsSixFieldsWithSecondsFirstAsSpringDoes() {
        CronSchedule cron = CronSchedule.parse("*/2 * * * * *", ZoneOffset.UTC);

        assertThat(fireTimeStrings(cron, "2024-01-01T00:00:00.500Z", 3))
                .containsExactly("2024-01-01T00:00:02Z", "2024-01-01T00:00:04Z", "2024-01-01T00:00:06Z");
    }

    @Test
    void everySecondFiresOnWholeSecondsWhateverTheFractionOfTheStart() {
        // Replicas whose clocks differ by a fraction of a second must agree on each fire time.
        for (String expression : List.of("* * * * * *", "*/1 * * * * *", "0-59 * * * * *")) {
            CronSchedule cron = CronSchedule.parse(expression, ZoneOffset.UTC);
            assertThat(fireTimeStrings(cron, "2024-01-01T00:00:00.920385247Z", 2))
                    .as(expression)
                    .containsExactly("2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z");
            assertThat(fireTimeStrings(cron, "2024-01-01T00:00:01Z", 1))
                    .as(expression)
                    .containsExactly("2024-01-01T00:00:02Z");
        }
    }

    @Test
    void readsSpringMacros() {
        assertThat(fireTimeStrings(CronSchedule.parse("@daily", ZoneOffset.UTC), "2024-01-01T10:00Z", 1))
                .containsExactly("2024-01-02T00:00Z");
        assertThat(fireTimeStrings(CronSchedule.parse("@hourly", ZoneOffset.UTC), "2024-01-01T10:00Z", 1))
                .containsExactly("2024-01-01T11:00Z");
    }

    @Test
    void takesSundayAsZeroOrSeven() {
        CronSchedule zero = CronSchedule.parse("0 0 * * 0", ZoneOffset.UTC);
        CronSchedule seven = CronSchedule.parse("0 0 * * 7", ZoneOffset.UTC);

        assertThat(fireTimeStrings(zero, "2024-01-01T00:00Z", 1)).containsExactly("2024-01-07T00:00Z");
        assertThat(fireTimeStrings(seven, "2024-01-01T00:00Z", 1)).containsExactly("2024-01-07T00:00Z");
    }

    @Test
    void matchesEitherDayWhenBothDayFieldsAreRestrictedAsVixieCronDoes() {
        CronSchedule cron = CronSchedule.parse("0 0 1 * MON", ZoneOffset.UTC);

        // 1 February 2024 is a Thursday; the Mondays around it fire too.
        assertThat(fireTimeStrings(cron, "2024-01-29T00:00Z", 2))
                .containsExactly("2024-02-01T00:00Z", "2024-02-05T00:00Z");
    }

    @Test
    void refusesAnUnreadableExpressionNamingItAndTheReason() {
        assertThatThrownBy(() -> CronSchedule.parse("*/61 * * * * *", ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid cron expression '*/61 * * * * *': Period 61 not in range [0, 59]");
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", ZoneOffset.UTC))
                .hasMessage("invalid cron expression '61 * * * *': Value 61 not in range [0, 59]");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * 8", ZoneOffset.UTC))
                .hasMessageStartingWith("invalid cron expression '0 0 * * 8': ");
        assertThatThrownBy(() -> CronSchedule.parse("often * * * *", ZoneOffset.UTC))
                .hasMessageStartingWith("invalid cron expression 'often * * * *': ");
    }

    @Test
    void refusesAWrongNumberOfFields() {
        assertThatThrownBy(() -> CronSchedule.parse("* * * *", ZoneOffset.UTC))
                .hasMessage("invalid cron expression '* * * *': expected 5 fields (minute hour day-of-month month"
                        + " day-of-week) or 6 (second first), got 4");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 * * * 2030", ZoneOffset.UTC))
                .hasMessageEndingWith("got 7");
        assertThatThrownBy(() -> CronSchedule.parse("  ", ZoneOffset.UTC)).hasMessageEndingWith("got 0");
    }

    @Test
    void refusesAnExpressionThatNeverFires() {
        assertThatThrownBy(() -> CronSchedule.parse("0 0 30 2 *", ZoneOffset.UTC))
                .hasMessage("invalid cron expression '0 0 30 2 *': it never fires");
    }

    @Test
    void readsWallClockTimesInTheScheduleZone() {
        Instant after = Instant.parse("2024-06-01T00:00:00Z");

        assertThat(CronSchedule.parse("0 9 * * *", TOKYO)
                        .next(after)
                        .orElseThrow()
                        .toInstant())
                .isEqualTo("2024-06-02T00:00:00Z");
        assertThat(CronSchedule.parse("0 9 * * *", NEW_YORK)
                        .next(after)
                        .orElseThrow()
                        .toInstant())
                .isEqualTo("2024-06-01T13:00:00Z");
        assertThat(CronSchedule.parse("0 9 * * *", LONDON)
                        .next(after)
                        .orElseThrow()
                        .toInstant())
                .isEqualTo("2024-06-01T08:00:00Z");
    }

    @Test
    void tellsFixedTimeFromWildcardExpressions() {
        assertThat(CronSchedule.parse("30 2 * * *", NEW_YORK).isFixedTime()).isTrue();
        assertThat(CronSchedule.parse("*/10 30 2 * * *", NEW_YORK).isFixedTime())
                .isTrue();
        assertThat(CronSchedule.parse("@daily", NEW_YORK).isFixedTime()).isTrue();
        assertThat(CronSchedule.parse("0 * * * *", NEW_YORK).isFixedTime()).isFalse();
        assertThat(CronSchedule.parse("*/15 9 * * *", NEW_YORK).isFixedTime()).isFalse();
        assertThat(CronSchedule.parse("@hourly", NEW_YORK).isFixedTime()).isFalse();
    }

    // Daylight-saving time. New York springs forward on 10 March 2024 (02:00 EST -> 03:00 EDT) and
    // falls back on 3 November 2024 (02:00 EDT -> 01:00 EST); London on 31 March (01:00 GMT -> 02:00
    // BST) and 27 October (02:00 BST -> 01:00 GMT).

    @Test
    void runsAFixedTimeInTheSpringForwardGapOnceRightAfterTheGap() {
        CronSchedule cron = CronSchedule.parse("30 2 * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-03-09T12:00-05:00[America/New_York]", 3))
                .containsExactly(
                        "2024-03-10T03:00-04:00[America/New_York]",
                        "2024-03-11T02:30-04:00[America/New_York]",
                        "2024-03-12T02:30-04:00[America/New_York]");
    }

    @Test
    void runsSeveralFixedTimesInOneGapOnce() {
        CronSchedule cron = CronSchedule.parse("0,15,30,45 2 * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-03-10T01:50-05:00[America/New_York]", 2))
                .containsExactly(
                        "2024-03-10T03:00-04:00[America/New_York]", "2024-03-11T02:00-04:00[America/New_York]");
    }

    @Test
    void doesNotRunTwiceWhenAGapTimeAndARealTimeMeetAfterTheGap() {
        CronSchedule cron = CronSchedule.parse("0 2,3 * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-03-10T00:00-05:00[America/New_York]", 2))
                .containsExactly(
                        "2024-03-10T03:00-04:00[America/New_York]", "2024-03-11T02:00-04:00[America/New_York]");
    }

    @Test
    void runsAFixedTimeThatHappensTwiceWhenClocksFallBackOnce() {
        CronSchedule cron = CronSchedule.parse("30 1 * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-11-02T12:00-04:00[America/New_York]", 3))
                .containsExactly(
                        "2024-11-03T01:30-04:00[America/New_York]",
                        "2024-11-04T01:30-05:00[America/New_York]",
                        "2024-11-05T01:30-05:00[America/New_York]");
    }

    @Test
    void doesNotRunAFixedTimeAgainWhenAskedDuringTheRepeatedHour() {
        CronSchedule cron = CronSchedule.parse("30 1 * * *", NEW_YORK);

        // 01:10 EST is in the second pass through 01:00-02:00; 01:30 ran in the first (EDT).
        assertThat(fireTimeStrings(cron, "2024-11-03T01:10-05:00[America/New_York]", 1))
                .containsExactly("2024-11-04T01:30-05:00[America/New_York]");
        // From the start of the second pass too.
        assertThat(fireTimeStrings(cron, "2024-11-03T01:00-05:00[America/New_York]", 1))
                .containsExactly("2024-11-04T01:30-05:00[America/New_York]");
    }

    @Test
    void runsAWildcardHourlyExpressionInBothPassesOfTheRepeatedHour() {
        CronSchedule cron = CronSchedule.parse("0 * * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-11-03T00:30-04:00[America/New_York]", 4))
                .containsExactly(
                        "2024-11-03T01:00-04:00[America/New_York]",
                        "2024-11-03T01:00-05:00[America/New_York]",
                        "2024-11-03T02:00-05:00[America/New_York]",
                        "2024-11-03T03:00-05:00[America/New_York]");
    }

    @Test
    void runsAWildcardExpressionEveryRealQuarterHourAcrossTheSpringForwardGap() {
        CronSchedule cron = CronSchedule.parse("*/15 * * * *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-03-10T01:40-05:00[America/New_York]", 3))
                .containsExactly(
                        "2024-03-10T01:45-05:00[America/New_York]",
                        "2024-03-10T03:00-04:00[America/New_York]",
                        "2024-03-10T03:15-04:00[America/New_York]");
    }

    @Test
    void appliesTheSameRulesInLondon() {
        CronSchedule cron = CronSchedule.parse("30 1 * * *", LONDON);

        // 01:30 does not exist on 31 March: once at 02:00 BST. It happens twice on 27 October: once.
        assertThat(fireTimeStrings(cron, "2024-03-30T12:00Z[Europe/London]", 2))
                .containsExactly("2024-03-31T02:00+01:00[Europe/London]", "2024-04-01T01:30+01:00[Europe/London]");
        assertThat(fireTimeStrings(cron, "2024-10-26T12:00+01:00[Europe/London]", 2))
                .containsExactly("2024-10-27T01:30+01:00[Europe/London]", "2024-10-28T01:30Z[Europe/London]");
    }

    @Test
    void findsRareFireTimesAcrossManyTransitions() {
        CronSchedule cron = CronSchedule.parse("0 12 29 2 *", NEW_YORK);

        assertThat(fireTimeStrings(cron, "2024-03-01T00:00-05:00[America/New_York]", 1))
                .containsExactly("2028-02-29T12:00-05:00[America/New_York]");
    }

    @Test
    void equalsByExpressionAndZone() {
        assertThat(CronSchedule.parse(" 0 9 * * * ", LONDON)).isEqualTo(CronSchedule.parse("0 9 * * *", LONDON));
        assertThat(CronSchedule.parse("0 9 * * *", LONDON)).isNotEqualTo(CronSchedule.parse("0 9 * * *", TOKYO));
        assertThat(CronSchedule.parse("0 9 * * *", LONDON).toString())
                .isEqualTo("CronSchedule['0 9 * * *' in Europe/London]");
    }
}
