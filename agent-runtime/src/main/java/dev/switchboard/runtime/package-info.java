/**
 * The runtime around an application's agent: {@link dev.switchboard.runtime.AgentRuntime} receives
 * the channels' webhooks, acknowledges them, and calls the {@link dev.switchboard.runtime.Agent} one
 * {@link dev.switchboard.runtime.Turn turn} at a time per conversation, sending its replies back; a
 * {@link dev.switchboard.runtime.RuntimeListener} observes every outcome.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime;
