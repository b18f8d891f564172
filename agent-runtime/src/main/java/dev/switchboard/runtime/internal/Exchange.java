package dev.switchboard.runtime.internal;

import dev.switchboard.channel.WebhookResponse;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The answer to one webhook request and what to do once it has been written; or, when the answer
 * waits for something (a durable store's commit), the stage that gives that exchange.
 *
 * @param response the answer, or null when {@code later} gives it
 * @param allow the methods to list in an {@code Allow} header (a 405), or empty
 * @param afterAck run once the answer was written (or failed to be); hands the event on
 * @param later the exchange to write once it is known, or null when {@code response} is it
 */
public record Exchange(
        WebhookResponse response, Set<String> allow, Runnable afterAck, CompletionStage<Exchange> later) {

    private static final Runnable NOTHING = () -> {};

    public Exchange {
        allow = Set.copyOf(allow);
    }

    public Exchange(WebhookResponse response, Set<String> allow, Runnable afterAck) {
        this(response, allow, afterAck, null);
    }

    public static Exchange of(WebhookResponse response) {
        return new Exchange(response, Set.of(), NOTHING);
    }

    public static Exchange of(WebhookResponse response, Runnable afterAck) {
        return new Exchange(response, Set.of(), afterAck);
    }

    /** An exchange known once {@code later} completes; it must complete, and never exceptionally. */
    public static Exchange later(CompletionStage<Exchange> later) {
        return new Exchange(null, Set.of(), NOTHING, later);
    }
}
