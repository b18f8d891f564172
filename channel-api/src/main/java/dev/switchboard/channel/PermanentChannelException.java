package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * A failure that will not pass by trying again: an invalid or opted-out recipient, a closed
 * WhatsApp window with no template, a rejected credential.
 *
 * <p>{@link #reason()} tells a host the two cases it acts on beyond reporting the failure: a
 * recipient who opted out (the host stops sending to them) and a channel whose own configuration is
 * wrong (every send will fail until someone fixes it).
 */
public final class PermanentChannelException extends ChannelException {

    private static final long serialVersionUID = 1L;

    /** What a host should make of a permanent failure, beyond reporting it. */
    public enum Reason {
        /**
         * The recipient opted out of messages from this channel (replied STOP, say): the host records
         * the opt-out and sends them nothing more until they opt back in.
         */
        RECIPIENT_OPTED_OUT,
        /**
         * The channel's own configuration is wrong (rejected credentials, a sender the provider does
         * not know): every send fails until it is fixed, so the host tells the operator loudly.
         */
        CONFIGURATION,
        /** Anything else: this message cannot be sent, and others may. */
        OTHER
    }

    private final Reason reason;

    /**
     * A failure of reason {@link Reason#OTHER}.
     *
     * @param message what went wrong and what to do
     * @param providerCode the provider's error code, or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public PermanentChannelException(String message, String providerCode, Throwable cause) {
        this(message, providerCode, cause, Reason.OTHER);
    }

    /**
     * @param message what went wrong and what to do
     * @param providerCode the provider's error code, or {@code null}
     * @param cause the underlying failure, or {@code null}
     * @param reason what a host should make of it
     */
    public PermanentChannelException(String message, String providerCode, Throwable cause, Reason reason) {
        super(message, providerCode, cause);
        this.reason = requireNonNull(reason, "reason");
    }

    /** What a host should make of this failure; {@link Reason#OTHER} unless the channel said more. */
    public Reason reason() {
        return reason;
    }
}
