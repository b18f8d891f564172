package dev.switchboard.channel;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One messaging channel: an SMS number, a WhatsApp sender, or anything a third party adapts.
 *
 * <p>The host calls {@link #start(ChannelContext)} once, after its listener is bound, then routes
 * webhook requests to {@link #routes()} and calls {@link #send(OutboundMessage)} from its own
 * threads, and finally calls {@link #close()}. Implementations must be thread-safe.
 */
public interface Channel extends AutoCloseable {

    /** A short, stable id ({@code "sms"}, {@code "whatsapp"}), unique among a host's channels. */
    String id();

    /** What the channel can carry. */
    ChannelCapabilities capabilities();

    /** The channel's own addresses: messages from these are echoes of its sends and are dropped. */
    Set<Address> selfAddresses();

    /** Who may talk to the agent through this channel. */
    AccessPolicy accessPolicy();

    /** The channel's home address, if one was configured. */
    Optional<HomeChannel> home();

    /** The webhook routes the channel answers on the host's listener. */
    List<WebhookRoute> routes();

    /**
     * Starts the channel. Called once, after the host's listener is bound.
     *
     * @throws IllegalStateException if the channel's configuration does not let it run
     */
    void start(ChannelContext context);

    /**
     * Sends one message, blocking until the provider accepts or refuses it.
     *
     * @return the provider's receipt for the accepted message
     * @throws RetriableChannelException if trying again later may succeed
     * @throws PermanentChannelException if it never will
     */
    SendReceipt send(OutboundMessage message);

    /** Releases the channel's resources. Idempotent. */
    @Override
    void close();
}
