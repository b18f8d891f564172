package dev.switchboard.channel;

/**
 * Where a sent message stands. States only move forward: {@link #rank()} orders them, and a
 * receipt of a lower rank than one already seen is stale.
 */
public enum DeliveryStatus {
    /** Accepted by the provider, not yet processed (Twilio's {@code accepted}, {@code queued}, {@code scheduled}). */
    QUEUED(0, false),
    /** Being handed to the carrier. */
    SENDING(1, false),
    /** Handed to the carrier; not yet confirmed on the handset. */
    SENT(2, false),
    /** Confirmed on the handset. */
    DELIVERED(3, true),
    /** The carrier could not deliver it. */
    UNDELIVERED(3, true),
    /** The provider could not send it. */
    FAILED(3, true),
    /** Read by the recipient (WhatsApp). */
    READ(4, true),
    /** Canceled before it was sent (a scheduled message). */
    CANCELED(3, true);

    private final int rank;
    private final boolean terminal;

    DeliveryStatus(int rank, boolean terminal) {
        this.rank = rank;
        this.terminal = terminal;
    }

    /** The order of states: a status may follow only one of a lower rank. */
    public int rank() {
        return rank;
    }

    /** Whether the message is done: delivered, read, or failed for good. */
    public boolean isTerminal() {
        return terminal;
    }

    /** Whether this status reports a failure to deliver. */
    public boolean isFailure() {
        return this == UNDELIVERED || this == FAILED || this == CANCELED;
    }
}
