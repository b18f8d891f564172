/**
 * Pairing: letting a stranger talk to the agent once the owner approved them from their own phone.
 *
 * <p>With pairing on for a channel ({@code AgentRuntimeBuilder.pairing}), a sender the channel's
 * access policy does not let in gets an onboarding text, and the channel's home address gets a notice
 * naming the sender with an eight-character code: the home texts {@code APPROVE <code>} to let them
 * in, or {@code DENY <code>} to refuse quietly. Approvals are kept in the runtime's store, so that
 * every replica sharing it lets the sender in. {@link dev.switchboard.runtime.pairing.Pairing} lists,
 * approves and denies requests from code or a command line.
 *
 * <p>Every parameter and return value is non-null unless its documentation says otherwise.
 */
package dev.switchboard.runtime.pairing;
