package dev.switchboard.channel;

/**
 * A failure that will not pass by trying again: an invalid or opted-out recipient, a closed
 * WhatsApp window with no template, a rejected credential.
 */
public final class PermanentChannelException extends ChannelException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and what to do
     * @param providerCode the provider's error code, or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public PermanentChannelException(String message, String providerCode, Throwable cause) {
        super(message, providerCode, cause);
    }
}
