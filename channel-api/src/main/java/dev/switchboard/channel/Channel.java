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

    /**
     * The channel's own addresses, every one of them (a channel may own several numbers): messages
     * from these are echoes of its sends and are dropped.
     */
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
     * Why this channel's inbound routes leave {@code message} out: it was sent to one of the
     * channel's addresses that the channel does not answer, or by a sender its routes exclude. The
     * host acknowledges such a message to the provider, drops it before any turn and logs the
     * reason. The reason names addresses only redacted and never carries the message's text.
     *
     * <p>The default routes every message to the agent and returns empty.
     *
     * @param message a message the channel parsed from one of its routes
     * @return the reason, or empty if the message is for the agent
     */
    default Optional<String> unrouted(InboundMessage message) {
        return Optional.empty();
    }

    /**
     * Where replies in {@code conversation} go: the counterpart by default, or the fixed address of
     * the channel's outbound route when it has one (every reply to one operator's phone, say).
     *
     * @param conversation a conversation of this channel
     * @return the recipient of the conversation's replies
     */
    default Address replyAddress(ConversationKey conversation) {
        return conversation.counterpart();
    }

    /**
     * Reads the bytes of one of {@code message}'s attachments from the provider, lazily: nothing is
     * fetched until this is called. Called on the caller's thread, which it may block for as long as
     * the channel's time limit for media allows; never call it on an I/O thread.
     *
     * <p>An attachment that is not {@linkplain Attachment#available() available} is refused without
     * any network access. The default cannot read attachments at all and throws {@link
     * PermanentChannelException}.
     *
     * @param message the message the attachment came with, whose account and id the channel checks
     *     the attachment's URL against
     * @param attachment one of {@code message}'s attachments
     * @return the content and its type as the provider served it
     * @throws PermanentChannelException if it never can be read: the attachment is unavailable, not
     *     the message's, larger than the channel's limit (the message names the limit and the option
     *     that sets it), refused or still not found by the provider after the channel's own retries,
     *     or the channel cannot read attachments
     * @throws RetriableChannelException if reading it again later may succeed: the provider did not
     *     answer in time, or kept answering with a server error or a rate limit after the channel's
     *     own retries
     */
    default MediaContent readAttachment(InboundMessage message, Attachment attachment) throws ChannelException {
        throw new PermanentChannelException(
                "channel " + id() + " cannot read attachments: it has no way to fetch " + attachment.contentType()
                        + " media from its provider",
                null,
                null);
    }

    /**
     * Whether this channel can send media of {@code contentType} (a MIME type such as {@code
     * image/jpeg}; parameters such as {@code ;charset=} are ignored), so that a host checks an
     * outbound message's media before sending. The default accepts none.
     *
     * @param contentType a MIME type
     * @return whether the provider takes media of that type on this channel
     */
    default boolean acceptsMediaType(String contentType) {
        return false;
    }

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
