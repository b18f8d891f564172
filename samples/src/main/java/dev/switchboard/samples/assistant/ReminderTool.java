package dev.switchboard.samples.assistant;

import static java.util.Objects.requireNonNull;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolMemoryId;
import dev.langchain4j.invocation.InvocationParameters;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.memory.MemoryIds;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The assistant's tool: {@code remindMe} sets a one-off reminder that {@link Reminders} pushes to the
 * person later, on the channel they wrote on and from the number they wrote to.
 *
 * <p>Arguments the model got wrong (no time or two, a time past or more than 30 days ahead, no text)
 * are answered with a sentence that says what to fix, which goes back to the model, rather than an
 * exception.
 */
public final class ReminderTool {

    /** The name of the {@link InvocationParameters} entry that holds the gateway's address the person wrote to. */
    public static final String OUR_ADDRESS = "switchboard.ourAddress";

    private final Reminders reminders;

    public ReminderTool(Reminders reminders) {
        this.reminders = requireNonNull(reminders, "reminders");
    }

    /**
     * Sets a reminder for the person of the conversation {@code conversation} (a {@linkplain
     * dev.switchboard.runtime.memory.MemoryIds memory id}).
     *
     * @return what to tell the model: when the reminder is set for, or what was wrong
     */
    @Tool(
            name = "remindMe",
            value = "Schedules a one-off reminder that is texted to the person later. Give either delayMinutes"
                    + " or at, not both.")
    public String remindMe(
            @P(name = "delayMinutes", value = "In how many minutes to send the reminder, from now", required = false)
                    Integer delayMinutes,
            @P(
                            name = "at",
                            value = "When to send the reminder instead, as an ISO-8601 date and time with its offset,"
                                    + " e.g. 2026-12-03T18:30:00+01:00",
                            required = false)
                    String at,
            @P(name = "text", value = "What to remind the person of, in a few words") String text,
            @ToolMemoryId String conversation,
            InvocationParameters parameters) {
        // To the second: what the model is told, and what the person may be told, reads as a time.
        Instant now = reminders.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        boolean hasDelay = delayMinutes != null;
        boolean hasTime = at != null && !at.isBlank();
        if (hasDelay == hasTime) {
            return "Not set: give either delayMinutes or at, exactly one of them.";
        }
        if (text == null || text.isBlank()) {
            return "Not set: the reminder needs a text saying what to remind the person of.";
        }
        Instant due;
        if (hasDelay) {
            if (delayMinutes <= 0) {
                return "Not set: delayMinutes must be 1 or more; it was " + delayMinutes + ".";
            }
            due = now.plus(Duration.ofMinutes(delayMinutes));
        } else {
            try {
                due = OffsetDateTime.parse(at.strip()).toInstant();
            } catch (DateTimeParseException e) {
                return "Not set: at must be an ISO-8601 date and time with its offset, such as"
                        + " 2026-12-03T18:30:00+01:00; it was " + at.strip() + ".";
            }
        }
        if (!due.isAfter(now)) {
            return "Not set: " + due + " is in the past; it is now " + now + ".";
        }
        if (due.isAfter(now.plus(Reminders.LONGEST))) {
            return "Not set: reminders can be set at most " + Reminders.LONGEST.toDays() + " days ahead, and " + due
                    + " is further; it is now " + now + ".";
        }
        ConversationKey key = MemoryIds.conversation(conversation);
        String ours = parameters == null ? null : parameters.get(OUR_ADDRESS);
        if (ours == null) {
            return "Not set: this conversation cannot receive reminders.";
        }
        Reminder reminder = reminders.add(key.channelId(), Address.of(ours), key.counterpart(), due, text);
        return "Reminder set for " + reminder.at() + " (UTC); it is now " + now + ".";
    }
}
