package dev.switchboard.runtime.schedule;

import static java.util.Objects.requireNonNull;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A cron expression read in a time zone: when a schedule fires.
 *
 * <h2>Expressions</h2>
 *
 * <p>Two forms are read, told apart by their number of fields:
 *
 * <ul>
 *   <li>five fields, the standard Unix (Vixie) form: {@code minute hour day-of-month month
 *       day-of-week}, for example {@code 0 9 * * MON-FRI} (09:00 on weekdays). As in Vixie cron, a
 *       restricted day-of-month and a restricted day-of-week match either day;
 *   <li>six fields with seconds first, as Spring's {@code CronExpression} reads them: {@code second
 *       minute hour day-of-month month day-of-week}, for example {@code *}{@code /2 * * * * *} (every
 *       two seconds), with Spring's {@code L}, {@code W}, {@code #} and {@code ?}, and its macros
 *       {@code @yearly}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @hourly}.
 * </ul>
 *
 * <p>Names of months and days ({@code JAN}, {@code MON}) are accepted in both; Sunday is 0 or 7.
 * Parsing is done by cron-utils. An expression that cannot be read, or that can never fire ({@code 0
 * 0 30 2 *}), is refused when parsed, with the expression and the reason in the message.
 *
 * <h2>Time zones and daylight-saving time</h2>
 *
 * <p>Fire times are wall-clock times in the schedule's zone. Where the zone's clocks jump, the rules
 * of Vixie cron apply, and they depend on the expression:
 *
 * <ul>
 *   <li>A <em>fixed-time</em> expression, whose minute and hour fields do not start with {@code *}
 *       ({@code 30 2 * * *}), fires once for each wall-clock time it names. A time that falls in a
 *       spring-forward gap (02:30 on the day 02:00-03:00 does not exist) fires once, at the first
 *       instant after the gap (03:00 in the new offset); several times in one gap fire once between
 *       them. A time that happens twice when clocks fall back (01:30) fires once, at its first
 *       occurrence.
 *   <li>A <em>wildcard</em> expression, whose minute or hour field starts with {@code *} ({@code 0 *
 *       * * *}, {@code *}{@code /15 * * * *}, {@code @hourly}), follows elapsed time: wall-clock times
 *       that do not exist are not fired, and the repeated hour when clocks fall back is fired again,
 *       as it is another hour of real time.
 * </ul>
 *
 * <p>cron-utils alone skips a fixed time that falls in a gap until the next day; this class runs it
 * after the gap instead, as Vixie cron does. It computes fire times on local wall-clock time and
 * applies the zone's transitions itself.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CronSchedule {

    private static final Pattern FIELDS = Pattern.compile("\\s+");

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executionTime;
    private final boolean fixedTime;

    private CronSchedule(String expression, ZoneId zone, ExecutionTime executionTime, boolean fixedTime) {
        this.expression = expression;
        this.zone = zone;
        this.executionTime = executionTime;
        this.fixedTime = fixedTime;
    }

    /**
     * Reads {@code expression} in {@code zone}.
     *
     * @throws IllegalArgumentException if the expression cannot be read or never fires, naming the
     *     expression and the reason: {@code invalid cron expression '*}{@code /61 * * * * *': Period 61
     *     not in range [0, 59]}
     */
    public static CronSchedule parse(String expression, ZoneId zone) {
        return parse(expression, zone, "");
    }

    /** As {@link #parse(String, ZoneId)}, with {@code context} (" for schedule 'x'") in the message. */
    static CronSchedule parse(String expression, ZoneId zone, String context) {
        requireNonNull(expression, "expression");
        requireNonNull(zone, "zone");
        String trimmed = expression.strip();
        String[] fields = trimmed.isEmpty() ? new String[0] : FIELDS.split(trimmed);
        CronType type;
        if (fields.length == 5) {
            type = CronType.UNIX;
        } else if (fields.length == 6 || (fields.length == 1 && fields[0].startsWith("@"))) {
            type = CronType.SPRING53;
        } else {
            throw invalid(
                    expression,
                    context,
                    "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), got "
                            + fields.length);
        }
        Cron cron;
        try {
            cron = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type)).parse(String.join(" ", fields));
        } catch (IllegalArgumentException e) {
            throw invalid(expression, context, reason(e));
        }
        boolean fixedTime = !startsWithStar(cron, CronFieldName.MINUTE) && !startsWithStar(cron, CronFieldName.HOUR);
        CronSchedule schedule = new CronSchedule(trimmed, zone, ExecutionTime.forCron(cron), fixedTime);
        // cron-utils bounds its own search, so an expression with no next time from a fixed point has none
        // at all (30 February).
        if (schedule.nextLocal(LocalDateTime.of(2000, 1, 1, 0, 0)).isEmpty()) {
            throw invalid(expression, context, "it never fires");
        }
        return schedule;
    }

    private static IllegalArgumentException invalid(String expression, String context, String reason) {
        return new IllegalArgumentException("invalid cron expression '" + expression + "'" + context + ": " + reason);
    }

    private static String reason(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        String prefix = "Failed to parse cron expression. ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static boolean startsWithStar(Cron cron, CronFieldName field) {
        return cron.retrieve(field) != null
                && cron.retrieve(field).getExpression().asString().startsWith("*");
    }

    /** The expression as given, without surrounding whitespace. */
    public String expression() {
        return expression;
    }

    /** The zone its wall-clock times are read in. */
    public ZoneId zone() {
        return zone;
    }

    /**
     * Whether this is a fixed-time expression (neither its minute nor its hour field starts with
     * {@code *}), to which the daylight-saving rules of fixed times apply.
     */
    public boolean isFixedTime() {
        return fixedTime;
    }

    /**
     * The first fire time strictly after {@code after}, in the schedule's zone; empty if there is none
     * (an expression naming a year that has passed cannot be written, so in practice only for
     * instants near the end of time).
     */
    public Optional<ZonedDateTime> next(Instant after) {
        requireNonNull(after, "after");
        ZoneRules rules = zone.getRules();
        // The search walks segments of constant offset, between the zone's transitions.
        Instant lower = after;
        Instant segmentStart = after;
        ZoneOffset offset = rules.getOffset(after);
        ZoneOffsetTransition startedBy = rules.previousTransition(after.plusNanos(1));
        for (int segment = 0; segment < 1_000; segment++) {
            ZoneOffsetTransition end = rules.nextTransition(segmentStart);
            LocalDateTime from = LocalDateTime.ofInstant(lower, offset);
            if (fixedTime
                    && startedBy != null
                    && startedBy.isOverlap()
                    && offset.equals(startedBy.getOffsetAfter())
                    && from.isBefore(startedBy.getDateTimeBefore())) {
                // The second pass through repeated wall-clock times: they fired on the first.
                from = startedBy.getDateTimeBefore().minusNanos(1);
            }
            Optional<LocalDateTime> local = nextLocal(from);
            if (local.isEmpty()) {
                return Optional.empty();
            }
            Instant candidate = local.get().toInstant(offset);
            if (end == null || candidate.isBefore(end.getInstant())) {
                return Optional.of(candidate.atZone(zone));
            }
            if (fixedTime && end.isGap()) {
                Optional<LocalDateTime> inGap =
                        nextLocal(end.getDateTimeBefore().minusNanos(1));
                if (inGap.isPresent() && inGap.get().isBefore(end.getDateTimeAfter())) {
                    return Optional.of(end.getInstant().atZone(zone));
                }
            }
            lower = end.getInstant().minusNanos(1);
            segmentStart = end.getInstant();
            offset = end.getOffsetAfter();
            startedBy = end;
        }
        return Optional.empty();
    }

    /** The first wall-clock time strictly after {@code after} that the expression names. */
    private Optional<LocalDateTime> nextLocal(LocalDateTime after) {
        // UTC has no transitions, so cron-utils computes plain wall-clock arithmetic here. Fire times are
        // whole seconds, and the next one after `after` is the next one after its whole second; cron-utils
        // would carry a fraction through a seconds field of every second, and replicas' clocks would then
        // give one fire time different instants, each claimed once, so run once per replica.
        return executionTime
                .nextExecution(after.truncatedTo(ChronoUnit.SECONDS).atZone(ZoneOffset.UTC))
                .map(ZonedDateTime::toLocalDateTime);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule other && expression.equals(other.expression) && zone.equals(other.zone);
    }

    @Override
    public int hashCode() {
        return 31 * expression.hashCode() + zone.hashCode();
    }

    @Override
    public String toString() {
        return "CronSchedule['" + expression + "' in " + zone + "]";
    }
}
