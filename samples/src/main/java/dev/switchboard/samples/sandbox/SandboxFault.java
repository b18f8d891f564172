package dev.switchboard.samples.sandbox;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure the stand-in answers one message creation with, in place of success, so that tests can
 * show how Switchboard copes with each kind of Twilio failure.
 *
 * @param httpStatus the HTTP status to answer with, or {@value #NO_ANSWER} to answer nothing and close
 *     the connection, as when a request reached Twilio and the answer was lost
 * @param code Twilio's error code for the JSON body, or 0 for a body that is not Twilio JSON
 * @param message the error message
 * @param createAnyway whether the message is created (and delivered) although the answer is an
 *     error: what happens when Twilio fails after it accepted a request
 * @param retryAfter a {@code Retry-After} to send with the answer, if any
 */
public record SandboxFault(
        int httpStatus, int code, String message, boolean createAnyway, Optional<Duration> retryAfter) {

    /** The {@link #httpStatus()} of a fault that closes the connection without an answer. */
    public static final int NO_ANSWER = 0;

    /** A Twilio error answer such as 400 / 21610; nothing is created. */
    public static SandboxFault error(int httpStatus, int code, String message) {
        return new SandboxFault(httpStatus, code, message, false, Optional.empty());
    }

    /** HTTP 429 with code 20429, as Twilio throttles; nothing is created. */
    public static SandboxFault tooManyRequests(Duration retryAfter) {
        return new SandboxFault(429, 20429, "Too Many Requests", false, Optional.of(retryAfter));
    }

    /** HTTP 500 after the message was created: the caller cannot tell it was. */
    public static SandboxFault serverErrorAfterCreate() {
        return new SandboxFault(500, 0, "Internal Server Error", true, Optional.empty());
    }

    /** HTTP 500 with nothing created. */
    public static SandboxFault serverError() {
        return new SandboxFault(500, 0, "Internal Server Error", false, Optional.empty());
    }

    /**
     * No answer at all after the message was created: the connection closes once the request is read,
     * so the caller sees a lost connection and cannot tell that the message exists.
     */
    public static SandboxFault noAnswerAfterCreate() {
        return new SandboxFault(NO_ANSWER, 0, "", true, Optional.empty());
    }

    /** No answer at all, with nothing created: the connection closes once the request is read. */
    public static SandboxFault noAnswer() {
        return new SandboxFault(NO_ANSWER, 0, "", false, Optional.empty());
    }
}
