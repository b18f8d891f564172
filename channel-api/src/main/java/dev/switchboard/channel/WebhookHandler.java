package dev.switchboard.channel;

/**
 * A channel's handling of one webhook request: prove it came from the provider, then parse it.
 *
 * <p>Implementations must be thread-safe and must not block: hosts may call them on an I/O thread.
 * A request that fails authentication is a {@link WebhookResult.Rejected} with status 403, never an
 * exception.
 */
@FunctionalInterface
public interface WebhookHandler {

    /** Verifies and parses {@code request}. */
    WebhookResult handle(WebhookRequest request);
}
