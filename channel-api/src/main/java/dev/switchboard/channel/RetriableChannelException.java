package dev.switchboard.channel;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that may pass: the provider throttled the request, could not be reached, or answered
 * with a server error.
 *
 * <p>{@link #mayHaveBeenProcessed()} separates the two cases a sender must treat differently: a
 * request that certainly never took effect (a refused connection, HTTP 429) is safe to send again;
 * one that may have (a timeout after the request left, a 5xx) must be reconciled first, or the
 * message may go out twice.
 */
public final class RetriableChannelException extends ChannelException {

    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;
    private final boolean mayHaveBeenProcessed;

    /**
     * @param message what went wrong and what to do
     * @param providerCode the provider's error code, or {@code null}
     * @param retryAfter how long the provider asked to wait, or {@code null}
     * @param mayHaveBeenProcessed whether the request may have taken effect
     * @param cause the underlying failure, or {@code null}
     */
    public RetriableChannelException(
            String message, String providerCode, Duration retryAfter, boolean mayHaveBeenProcessed, Throwable cause) {
        super(message, providerCode, cause);
        this.retryAfter = retryAfter;
        this.mayHaveBeenProcessed = mayHaveBeenProcessed;
    }

    /** How long the provider asked the caller to wait ({@code Retry-After}), if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whether the request may have taken effect although it failed (ambiguous), or certainly did not. */
    public boolean mayHaveBeenProcessed() {
        return mayHaveBeenProcessed;
    }
}
