package dev.switchboard.channel;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

    /**
     * How a user gives this channel a home address, for messages that say it has none: a setting's
     * name (the Twilio SMS channel: {@code SMS_HOME_CHANNEL}). The default names nothing.
     */
    default Optional<String> homeSetting() {
        return Optional.empty();
    }

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

    /**
     * Looks for messages the provider accepted from an earlier {@link #send(OutboundMessage)} of
     * {@code message} whose outcome is unknown: one that failed with a {@link
     * RetriableChannelException} that {@linkplain RetriableChannelException#mayHaveBeenProcessed()
     * may have been processed} (a timeout after the request left, a server error). A host calls it
     * before sending such a message again, so that a message the provider did accept is not sent
     * twice.
     *
     * <p>An implementation asks the provider for messages to {@code message.to()} from the channel's
     * sender, created no earlier than {@code notBefore} (allowing for the provider's clock and the
     * resolution of its timestamps), with the same content. It may return messages the host already
     * knows of (an identical text sent moments before); the host skips those.
     *
     * <p>The default cannot look: it throws {@link UnsupportedOperationException}, and a host then
     * treats the send as possibly made and does not repeat it.
     *
     * @param message the message as it was given to {@link #send(OutboundMessage)}
     * @param notBefore when the first attempt to send it began, by the host's clock
     * @return the matching messages the provider has, as receipts with their current status, oldest
     *     first; empty if it has none, so that sending again is safe
     * @throws UnsupportedOperationException if the channel cannot look this message up (at all, or
     *     not this kind of message: a template whose text the provider renders)
     * @throws RetriableChannelException if the provider could not be asked now
     * @throws PermanentChannelException if it never can be (rejected credentials)
     */
    default List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
        throw new UnsupportedOperationException("channel " + id() + " cannot look up the messages it sent");
    }

    /**
     * The failure a delivery report describes, in the terms {@link #send(OutboundMessage)} would
     * have used had the provider refused the message at once: a message a person can act on, the
     * provider's code, and the {@link PermanentChannelException.Reason}. A host reports it with the
     * text the part belonged to.
     *
     * <p>The default knows no provider codes and returns empty; the host then reports the status and
     * the code as they are.
     *
     * @param receipt a report of a {@linkplain DeliveryStatus#isFailure() failed} message
     * @return the failure, or empty if the receipt reports no failure or the channel has nothing to
     *     add to its code
     */
    default Optional<PermanentChannelException> deliveryFailure(DeliveryReceipt receipt) {
        return Optional.empty();
    }

    /**
     * The host accepted {@code message}: it was authentic, not a repeat of one already seen, not an
     * echo of the channel's own sends, and within the sender's inbound limit. Called once per such
     * message, after the provider was answered and before the message's turn, on a host thread that
     * may block briefly (never an I/O thread); also for messages the host then drops (a sender not
     * allowed, a compliance keyword), since the person did write. A channel records here what the
     * person's writing changes (WhatsApp's 24-hour window); it must not throw, and what it throws is
     * logged and ignored.
     *
     * <p>The default does nothing.
     */
    default void accepted(InboundMessage message) {}

    /**
     * Where the host's webhook server binds by this channel's environment conventions: for the Twilio
     * channels, {@code SMS_WEBHOOK_HOST} and {@code SMS_WEBHOOK_PORT}. A host's "from the environment"
     * option asks its channels, so that the host itself knows no variable names.
     *
     * <p>The default has no conventions and returns empty.
     *
     * @param env the variables, for example {@code System.getenv()}
     * @return the address, unresolved, or empty if the channel has no conventions for it
     * @throws IllegalArgumentException if a variable is set to a bad value, naming it and the value
     */
    default Optional<InetSocketAddress> webhookServerAddress(Map<String, String> env) {
        return Optional.empty();
    }

    /** Releases the channel's resources. Idempotent. */
    @Override
    void close();
}
