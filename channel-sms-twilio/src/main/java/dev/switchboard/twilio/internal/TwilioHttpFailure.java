package dev.switchboard.twilio.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * A REST call that did not succeed, as {@link TwilioHttpTransport} saw it; {@link TwilioErrors}
 * turns it into the SPI's exceptions. Its message never carries the response body.
 */
final class TwilioHttpFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    enum Kind {
        /** The request never reached Twilio: refused, unresolved, connect timeout, TLS handshake. */
        NOT_SENT,
        /** The request left but no answer came back: whether Twilio acted on it is unknown. */
        NO_ANSWER,
        /** Twilio (or whatever listens at the base URL) answered with a status that is not 2xx. */
        ANSWERED
    }

    private final Kind kind;
    private final int status;
    private final String responseBody;
    private final Duration retryAfter;

    private TwilioHttpFailure(
            Kind kind, int status, String responseBody, Duration retryAfter, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.responseBody = responseBody;
        this.retryAfter = retryAfter;
    }

    static TwilioHttpFailure notSent(String what, Throwable cause) {
        return new TwilioHttpFailure(Kind.NOT_SENT, 0, "", null, what, cause);
    }

    static TwilioHttpFailure noAnswer(String what, Throwable cause) {
        return new TwilioHttpFailure(Kind.NO_ANSWER, 0, "", null, what, cause);
    }

    static TwilioHttpFailure answered(int status, String responseBody, Duration retryAfter) {
        return new TwilioHttpFailure(
                Kind.ANSWERED, status, responseBody, retryAfter, "Twilio answered HTTP " + status, null);
    }

    Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no answer. */
    int status() {
        return status;
    }

    String responseBody() {
        return responseBody;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
