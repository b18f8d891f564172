package dev.switchboard.channel.testkit;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.WebhookRequest;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link ChannelContractTest} needs to exercise one channel: the channel itself, built against
 * a fake of its provider, and the provider's side of every exchange (webhooks it would send, answers
 * it would give to a send).
 *
 * <p>A fixture is made fresh for each test by {@link ChannelContractTest#createFixture()} and closed
 * after it. The fake provider should be real enough that the channel runs its production code path:
 * an HTTP server on {@code 127.0.0.1}, port 0, that the channel is configured to call, and requests
 * authenticated exactly as the provider authenticates them (the same signature scheme, a different
 * secret for forgeries). A fake that the channel reaches through a test-only back door proves
 * little.
 *
 * <p>Unless a method says otherwise, it returns non-null values and may be called any number of
 * times.
 */
public interface ChannelFixture extends AutoCloseable {

    /**
     * The channel under test, configured to send to the fake provider and to accept webhooks
     * authenticated with the secret this fixture signs with; built, not started. The kit starts it
     * (with a context of its own) when a test needs it started, and closes it after each test. The
     * same instance on every call.
     */
    Channel channel();

    /**
     * Someone the channel talks to: the sender of inbound messages and the recipient of sends. The
     * raw value must be at least 10 characters long (a phone number in E.164 is), so that its
     * redacted form hides part of it and the kit can look for the raw value where it must not be.
     */
    Address person();

    /** The channel's own address that the person writes to: the {@code to} of inbound messages. */
    Address channelAddress();

    /**
     * An authentic webhook carrying a text message from {@code from} to {@link #channelAddress()}:
     * what the provider would post to the channel's inbound route, authenticated with the channel's
     * secret. Each call gives the message a new id, as the provider would.
     *
     * @param from the sender
     * @param text the text, exactly as the person wrote it; it may hold any Unicode, newlines and
     *     characters that need escaping in the provider's format ({@code & = + % " \})
     */
    InboundWebhook inbound(Address from, String text);

    /**
     * An authentic webhook carrying a message with media from {@code from}, or empty if the
     * provider's inbound messages never carry media. Default: empty, and the kit skips the test of
     * attachments.
     *
     * @param attachments the media, in order, as the provider lists them
     */
    default Optional<InboundWebhook> inboundWithAttachments(Address from, String text, List<Attachment> attachments) {
        return Optional.empty();
    }

    /**
     * A webhook that looks like {@link #inbound} but was authenticated with a secret that is not the
     * channel's (a guessed token, another account's key): a forgery the channel must refuse.
     */
    WebhookRequest forgedInbound(Address from, String text);

    /**
     * {@code authentic} without its authentication: what anyone who knows the channel's URL could
     * post. Default: the request with every header but {@code Content-Type} removed, which suits a
     * provider that authenticates with a header; override it for one that authenticates otherwise (a
     * token in the query, say).
     */
    default WebhookRequest unauthenticated(WebhookRequest authentic) {
        Map<String, String> headers = new LinkedHashMap<>();
        authentic.header("Content-Type").ifPresent(type -> headers.put("Content-Type", type));
        return new WebhookRequest(
                authentic.method(), authentic.path(), authentic.rawQuery(), headers, authentic.body());
    }

    /**
     * An authentic delivery report, as the provider would post it to the channel's delivery route:
     * the message {@code messageId} to {@code to} is now in {@code status}.
     *
     * @param status one of {@link #reportedStatuses()}
     * @param errorCode the provider's error code, present only for a {@linkplain
     *     DeliveryStatus#isFailure() failure}; it is always {@link #deliveryErrorCode()}
     */
    WebhookRequest deliveryReport(String messageId, Address to, DeliveryStatus status, Optional<String> errorCode);

    /**
     * The statuses the provider reports, each of which the channel must map to itself. Default:
     * every {@link DeliveryStatus}; a provider that has no word for one (no {@code READ} on SMS, say)
     * may leave it out.
     */
    default Set<DeliveryStatus> reportedStatuses() {
        return EnumSet.allOf(DeliveryStatus.class);
    }

    /**
     * An error code in the provider's own format that its delivery reports carry for a failed
     * message (Twilio's {@code "30003"}, unreachable handset).
     */
    String deliveryErrorCode();

    /**
     * Makes the fake provider accept the next send and give the new message a fresh id.
     *
     * @return the id the provider will give it, which the channel must return in its {@link
     *     dev.switchboard.channel.SendReceipt}
     */
    String acceptNextSend();

    /**
     * Makes the fake provider fail the next send in a way that trying again later may cure.
     *
     * @param mayHaveBeenProcessed {@code false}: a failure that certainly did not send the message (a
     *     rate limit, HTTP 429, or a refused connection); {@code true}: one after which the message
     *     may exist (a server error, HTTP 5xx, or no answer before the channel's timeout)
     * @return the provider's error code that the failure carries and the channel must pass on in its
     *     {@link dev.switchboard.channel.RetriableChannelException}, or empty if it carries none (a
     *     refused connection)
     */
    Optional<String> failNextSendRetriably(boolean mayHaveBeenProcessed);

    /**
     * Makes the fake provider refuse the next send for good, with an error code (an invalid
     * recipient, say): a refusal that trying again cannot cure.
     *
     * @return the provider's error code, which the channel must pass on in its {@link
     *     dev.switchboard.channel.PermanentChannelException}
     */
    String failNextSendPermanently();

    /**
     * Every send request the fake provider received so far, accepted or not, oldest first, read back
     * into neutral terms.
     */
    List<ProviderSend> sentToProvider();

    /** Stops the fake provider and releases what the fixture holds. The kit closes the channel. */
    @Override
    void close();
}
