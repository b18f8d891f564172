package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A message the stand-in holds, with its state at one moment, as {@link TwilioSandbox#onRecord} and
 * {@link TwilioSandbox#records()} report it.
 *
 * @param message the message
 * @param status Twilio's status for it: {@code received} for one a phone texted; {@code queued},
 *     {@code sent}, {@code delivered}, {@code undelivered}, {@code failed} or {@code read} for one
 *     sent
 * @param errorCode Twilio's error code, when the message failed with one (11200 for media that could
 *     not be fetched, or the {@code ErrorCode} of a status callback)
 * @param errorMessage Twilio's title for the error code, when the stand-in knows it
 */
public record SandboxRecord(
        SandboxMessage message, String status, Optional<Integer> errorCode, Optional<String> errorMessage) {

    public SandboxRecord {
        requireNonNull(message, "message");
        requireNonNull(status, "status");
        requireNonNull(errorCode, "errorCode");
        requireNonNull(errorMessage, "errorMessage");
    }
}
