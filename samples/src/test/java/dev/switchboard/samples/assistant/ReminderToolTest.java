package dev.switchboard.samples.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.invocation.InvocationParameters;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tool's arguments as a model may give them: good ones set a reminder, bad ones are explained. */
class ReminderToolTest {

    private static final Instant NOW = Instant.parse("2026-12-03T06:00:00Z");
    private static final String CONVERSATION = "sms:+15557654321";

    private final Store store = Store.inMemory();
    private final Reminders reminders = new Reminders(store, new MutableClock(NOW));
    private final ReminderTool tool = new ReminderTool(reminders);
    private final InvocationParameters ours = InvocationParameters.from(ReminderTool.OUR_ADDRESS, "+15005550006");

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aDelaySetsTheReminderForTheConversationFromOurNumber() {
        assertThat(tool.remindMe(90, null, "call mum", CONVERSATION, ours))
                .isEqualTo("Reminder set for 2026-12-03T07:30:00Z (UTC); it is now 2026-12-03T06:00:00Z.");
        Reminder reminder = reminders.pending().get(0);
        assertThat(reminder.channelId()).isEqualTo("sms");
        assertThat(reminder.to().value()).isEqualTo("+15557654321");
        assertThat(reminder.from().value()).isEqualTo("+15005550006");
        assertThat(reminder.at()).isEqualTo(NOW.plus(Duration.ofMinutes(90)));
    }

    @Test
    void anIsoTimeWithItsOffsetSetsTheReminderThen() {
        assertThat(tool.remindMe(null, "2026-12-03T18:30:00+01:00", "take the bins out", CONVERSATION, ours))
                .startsWith("Reminder set for 2026-12-03T17:30:00Z");
        assertThat(reminders.pending()).extracting(Reminder::at).containsExactly(Instant.parse("2026-12-03T17:30:00Z"));
    }

    @Test
    void thirtyDaysAheadIsTheLimit() {
        assertThat(tool.remindMe(30 * 24 * 60, null, "renew", CONVERSATION, ours))
                .startsWith("Reminder set");
        assertThat(tool.remindMe(30 * 24 * 60 + 1, null, "renew", CONVERSATION, ours))
                .startsWith("Not set: reminders can be set at most 30 days ahead");
        assertThat(reminders.pending()).hasSize(1);
    }

    @Test
    void badArgumentsAreExplainedToTheModelAndSetNothing() {
        assertThat(tool.remindMe(null, "2026-12-03T05:59:00Z", "x", CONVERSATION, ours))
                .isEqualTo("Not set: 2026-12-03T05:59:00Z is in the past; it is now 2026-12-03T06:00:00Z.");
        assertThat(tool.remindMe(null, "2027-02-01T09:00:00Z", "x", CONVERSATION, ours))
                .startsWith("Not set: reminders can be set at most 30 days ahead");
        assertThat(tool.remindMe(10, null, "  ", CONVERSATION, ours))
                .isEqualTo("Not set: the reminder needs a text saying what to remind the person of.");
        assertThat(tool.remindMe(10, null, null, CONVERSATION, ours))
                .isEqualTo("Not set: the reminder needs a text saying what to remind the person of.");
        assertThat(tool.remindMe(null, null, "x", CONVERSATION, ours))
                .isEqualTo("Not set: give either delayMinutes or at, exactly one of them.");
        assertThat(tool.remindMe(10, "2026-12-03T09:00:00Z", "x", CONVERSATION, ours))
                .isEqualTo("Not set: give either delayMinutes or at, exactly one of them.");
        assertThat(tool.remindMe(0, null, "x", CONVERSATION, ours))
                .isEqualTo("Not set: delayMinutes must be 1 or more; it was 0.");
        assertThat(tool.remindMe(null, "tomorrow at nine", "x", CONVERSATION, ours))
                .startsWith("Not set: at must be an ISO-8601 date and time with its offset")
                .endsWith("it was tomorrow at nine.");
        assertThat(tool.remindMe(10, null, "x", CONVERSATION, new InvocationParameters()))
                .isEqualTo("Not set: this conversation cannot receive reminders.");
        assertThat(reminders.pending()).isEmpty();
    }
}
