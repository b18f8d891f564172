package dev.switchboard.runtime.delivery;

/**
 * What the runtime does with a part whose send may or may not have reached the provider: the request
 * left, then the connection timed out or the provider answered with a server error (a {@link
 * dev.switchboard.channel.RetriableChannelException} that {@linkplain
 * dev.switchboard.channel.RetriableChannelException#mayHaveBeenProcessed() may have been processed}).
 * Sending it again may deliver it twice and bill it twice; not sending it may lose it.
 */
public enum AmbiguousSendPolicy {

    /**
     * Ask the channel whether the provider has the message ({@link
     * dev.switchboard.channel.Channel#findSent}) after a backoff, and send it again only if it does
     * not. The default. A channel that cannot look is treated as under {@link #NEVER_RESEND}.
     */
    RECONCILE,

    /**
     * Never send it again: at most once. The part's outcome is a failure that says it may have been
     * sent, and the parts after it are not sent.
     */
    NEVER_RESEND,

    /**
     * Send it again after a backoff as if it had certainly failed: at least once, at the risk of a
     * duplicate. For channels whose provider drops duplicates itself.
     */
    ALWAYS_RESEND
}
