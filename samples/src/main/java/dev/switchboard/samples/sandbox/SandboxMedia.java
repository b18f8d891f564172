package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A media item the stand-in fetched from a {@code MediaUrl} of a message the application sent, as
 * Twilio fetches it before delivering an MMS or a WhatsApp media message.
 *
 * @param url the {@code MediaUrl} as given
 * @param contentType the {@code Content-Type} the URL answered with, without parameters; empty if
 *     the fetch failed
 * @param size how many bytes it had; 0 if the fetch failed
 * @param failure why the fetch failed (no answer, a status that is not 200), or empty
 */
public record SandboxMedia(String url, String contentType, int size, Optional<String> failure) {

    public SandboxMedia {
        requireNonNull(url, "url");
        requireNonNull(contentType, "contentType");
        requireNonNull(failure, "failure");
    }

    /** Whether the fetch succeeded. */
    public boolean fetched() {
        return failure.isEmpty();
    }
}
