package dev.switchboard.runtime.internal;

import dev.switchboard.channel.WebhookResponse;
import java.util.Set;

/**
 * The answer to one webhook request and what to do once it has been written.
 *
 * @param response the answer
 * @param allow the methods to list in an {@code Allow} header (a 405), or empty
 * @param afterAck run once the answer was written (or failed to be); hands the event on
 */
public record Exchange(WebhookResponse response, Set<String> allow, Runnable afterAck) {

    private static final Runnable NOTHING = () -> {};

    public Exchange {
        allow = Set.copyOf(allow);
    }

    public static Exchange of(WebhookResponse response) {
        return new Exchange(response, Set.of(), NOTHING);
    }

    public static Exchange of(WebhookResponse response, Runnable afterAck) {
        return new Exchange(response, Set.of(), afterAck);
    }
}
