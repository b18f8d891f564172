package dev.switchboard.twilio.internal;

/**
 * A webhook request that cannot be read: a malformed form body, a missing or invalid field. A
 * {@link TwilioWebhookHandler} answers it with {@code 400} and the {@linkplain #getMessage()
 * message} as the reason, which therefore never carries a message body or a raw phone number.
 */
final class MalformedWebhookException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param reason what is wrong with the request, safe to send back and to log */
    public MalformedWebhookException(String reason) {
        super(reason);
    }

    /**
     * @param reason what is wrong with the request, safe to send back and to log
     * @param cause the underlying failure
     */
    public MalformedWebhookException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
