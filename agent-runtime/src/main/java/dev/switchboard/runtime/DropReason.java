package dev.switchboard.runtime;

/** Why an authentic inbound message never reached the {@link Agent}. */
public enum DropReason {
    /** The provider delivered a message id it had delivered before (a webhook retry). */
    DUPLICATE,
    /** The sender is one of the channel's own addresses: an echo of the runtime's own send. */
    ECHO,
    /** The sender is not allowed to talk to the agent by the channel's access policy. */
    NOT_ALLOWED,
    /**
     * The channel's inbound routes leave the message out ({@link
     * dev.switchboard.channel.Channel#unrouted}): sent to an own address the routes do not answer, or
     * from a sender they do not take. Acknowledged, logged with the reason, never answered.
     */
    NOT_ROUTED,
    /**
     * The sender went over its inbound limit ({@link AgentRuntimeBuilder#inboundLimit(int, int)});
     * the provider was answered 429 and the message id was not remembered, so a redelivery counts.
     */
    RATE_LIMITED,
    /** The executor refused the turn (saturated or shut down by the application). */
    REJECTED,
    /** The runtime closed before the turn could run. */
    SHUTDOWN,
    /**
     * A STOP-family word ({@code STOP}, {@code STOPALL}, {@code UNSUBSCRIBE}, {@code CANCEL}, {@code
     * END}, {@code QUIT}, or the provider's own opt-out marker): the sender is now opted out of the
     * channel, and nothing more is sent to them until they opt back in.
     */
    STOP_KEYWORD,
    /**
     * A START-family word ({@code START}, {@code YES}, {@code UNSTOP}, or the provider's opt-in
     * marker) from a sender who had opted out: they are opted back in to the channel.
     */
    START_KEYWORD,
    /**
     * {@code HELP} or {@code INFO}: answered with the configured help text, or left to the provider
     * when none is configured (or the sender is opted out).
     */
    HELP_KEYWORD,
    /**
     * The sender opted out of the channel and has not opted back in: no reply could be sent, so the
     * agent is not asked for one.
     */
    OPTED_OUT,
    /**
     * The channel's home address answered a pairing request ({@code APPROVE <code>} or {@code DENY
     * <code>}): handled by the runtime ({@link AgentRuntimeBuilder#pairing}), not the agent.
     */
    PAIRING
}
