package dev.switchboard.runtime;

/** Why an authentic inbound message never reached the {@link Agent}. */
public enum DropReason {
    /** The provider delivered a message id it had delivered before (a webhook retry). */
    DUPLICATE,
    /** The sender is one of the channel's own addresses: an echo of the runtime's own send. */
    ECHO,
    /** The sender is not allowed to talk to the agent by the channel's access policy. */
    NOT_ALLOWED,
    /** The executor refused the turn (saturated or shut down by the application). */
    REJECTED,
    /** The runtime closed before the turn could run. */
    SHUTDOWN
}
