/**
 * Pushes: texts the application sends on its own initiative, now or on a cron schedule, to a
 * channel's home address (the operator's own phone) or any recipient.
 *
 * <p>{@code AgentRuntime.send}, {@code sendHome} and {@code schedule} send through the same
 * formatting, splitting and delivery as the agent's replies. Each push ends in one {@link
 * dev.switchboard.runtime.schedule.PushOutcome}: delivered, sent but unconfirmed, failed with the
 * reason, skipped, or a supplier error. {@link dev.switchboard.runtime.schedule.CronSchedule}
 * documents how cron expressions, time zones and daylight-saving time are read; {@link
 * dev.switchboard.runtime.schedule.CatchUp} what happens after a pause.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.schedule;
