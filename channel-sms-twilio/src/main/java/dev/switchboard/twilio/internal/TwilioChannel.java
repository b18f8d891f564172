package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.TwilioSignature;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * What every Twilio channel does the same way once configured: its two webhook routes (incoming
 * messages on the webhook path, status callbacks on that path plus {@code /status}, both checking
 * {@code X-Twilio-Signature} against the public URLs unless switched off), its {@link
 * TwilioSender}, its clock (the system's until the host's arrives at start), and its start-once,
 * close-idempotently lifecycle.
 *
 * <p>A channel extends it with only what is its own: its capabilities, its start-up lines, its
 * send rules and, for WhatsApp, what a person's accepted message changes. It logs through the
 * channel's logger, so that the channel's log settings cover it. Thread-safe.
 *
 * <p>Not API: public only so that the SMS and WhatsApp channels, in packages and modules of their
 * own, can extend it.
 */
public abstract class TwilioChannel implements Channel {

    /** The longest text Twilio takes in one message, SMS or WhatsApp. */
    public static final int MAX_MESSAGE_LENGTH = 1600;

    /** Twilio's message sids: two capital letters ({@code SM}, {@code MM}) and 32 hex digits. */
    public static final MessageIdShape MESSAGE_SIDS = MessageIdShape.lettersThenHex(2, 32);

    private final TwilioChannelConfig config;
    private final TwilioChannelProfile profile;
    private final Logger log;
    private final List<WebhookRoute> routes;
    private final TwilioSender sender;
    private final TwilioMediaOrigin mediaOrigin;
    private final TwilioMediaReader mediaReader;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Clock clock = Clock.systemUTC();

    /**
     * Builds the routes and the sender of a channel.
     *
     * @param config the channel's configuration
     * @param log the channel's logger
     */
    protected TwilioChannel(TwilioChannelConfig config, Logger log) {
        this.config = requireNonNull(config, "config");
        this.profile = config.profile();
        this.log = requireNonNull(log, "log");
        String authToken = config.credentials().authToken();
        this.mediaOrigin = new TwilioMediaOrigin(
                config.apiBaseUrl().map(TwilioSender::parseApiBaseUrl).orElse(TwilioMediaOrigin.TWILIO_API),
                config.credentials().accountSid());
        TwilioSignature verifier = config.secondaryAuthToken()
                .map(secondary -> TwilioSignature.verifier(authToken, secondary))
                .orElseGet(() -> TwilioSignature.verifier(authToken));
        // The routes answer with the shared handlers' verdicts as they are: what a person's message
        // changes is recorded when the host accepts it (Channel#accepted), never while it is handled.
        this.routes = List.of(
                WebhookRoute.formPost(
                        config.webhookPath(),
                        handler(
                                TwilioWebhookHandler.Kind.INBOUND,
                                verifier,
                                config.webhookUrl().orElse(null))),
                WebhookRoute.formPost(
                        config.statusPath(),
                        handler(
                                TwilioWebhookHandler.Kind.STATUS,
                                verifier,
                                config.statusUrl().orElse(null))));

        TwilioSender.Builder sender = TwilioSender.builder(config.credentials())
                .channelId(profile.id())
                .addressFormat(profile.addressFormat())
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout());
        profile.errorMessages().forEach(sender::errorMessage);
        config.number().ifPresent(sender::from);
        config.messagingServiceSid().ifPresent(sender::messagingServiceSid);
        config.statusUrl().ifPresent(sender::statusCallback);
        config.apiBaseUrl().ifPresent(sender::apiBaseUrl);
        this.sender = sender.build();
        this.mediaReader = new TwilioMediaReader(
                profile.id(),
                mediaOrigin,
                config.credentials(),
                config.mediaMaxBytes(),
                profile.variable("MEDIA_MAX_BYTES") + " (mediaMaxBytes)",
                config.mediaTimeout(),
                config.mediaNotFoundRetries(),
                config.mediaRetryBackoff(),
                config.connectTimeout(),
                Clock.systemUTC());
    }

    private TwilioWebhookHandler handler(TwilioWebhookHandler.Kind kind, TwilioSignature verifier, String url) {
        TwilioWebhookHandler.Builder handler = TwilioWebhookHandler.builder(kind, profile.id())
                .addressFormat(profile.addressFormat())
                .mediaOrigin(mediaOrigin)
                .clock(() -> clock);
        if (config.insecureNoSignature()) {
            handler.insecureNoSignature();
        } else {
            handler.signedBy(verifier, url);
        }
        return handler.build();
    }

    /** The channel's id, from its profile. */
    @Override
    public final String id() {
        return profile.id();
    }

    /** The channel's own numbers in plain E.164 (with only a Messaging Service: none). */
    @Override
    public final Set<Address> selfAddresses() {
        return config.selfAddresses();
    }

    @Override
    public final AccessPolicy accessPolicy() {
        return config.accessPolicy();
    }

    @Override
    public final Optional<HomeChannel> home() {
        return config.home();
    }

    /** The variable that sets the home address: {@code SMS_HOME_CHANNEL}, {@code WHATSAPP_HOME_CHANNEL}. */
    @Override
    public final Optional<String> homeSetting() {
        return Optional.of(profile.variable("HOME_CHANNEL"));
    }

    /**
     * Why the channel's routes leave {@code message} out: sent to a number that is not the
     * channel's (when it has numbers and no Messaging Service), to one of its numbers that {@code
     * <PREFIX>_ROUTE_TO} leaves out, or by a sender that {@code <PREFIX>_ROUTE_FROM} leaves out.
     * Numbers redacted, no text.
     */
    @Override
    public final Optional<String> unrouted(InboundMessage message) {
        return config.routes().unrouted(requireNonNull(message, "message"));
    }

    /** {@code <PREFIX>_REPLY_TO} when set, else the conversation's counterpart. */
    @Override
    public final Address replyAddress(ConversationKey conversation) {
        return config.routes().replyAddress(requireNonNull(conversation, "conversation"));
    }

    /**
     * Reads an attachment from Twilio with the account's credentials, on the caller's thread: only
     * at Twilio's media URL of the message for this account (on {@code TWILIO_API_BASE_URL}'s origin
     * when set), never elsewhere; up to {@code <PREFIX>_MEDIA_MAX_BYTES} (5 MB by default), within
     * the media timeout (30 s), a 404, 429 or 5xx tried again up to 3 times (1 s, 2 s, 4 s). A
     * redirect is followed to the same origin with the credentials, or once from Twilio's API to an
     * https URL without them (Twilio's pre-signed media store URL); no other.
     *
     * @throws PermanentChannelException if the attachment is unavailable (no request is made),
     *     larger than the limit, refused, still not found after the retries, or redirected elsewhere
     * @throws dev.switchboard.channel.RetriableChannelException if Twilio did not answer in time or
     *     kept answering 429 or 5xx
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public final MediaContent readAttachment(InboundMessage message, Attachment attachment) {
        requireNonNull(message, "message");
        requireNonNull(attachment, "attachment");
        if (closed.get()) {
            throw new IllegalStateException("the " + profile.id() + " channel is closed");
        }
        return mediaReader.read(message, attachment);
    }

    /** The incoming-message route and the status-callback route ({@code <path>/status}). */
    @Override
    public final List<WebhookRoute> routes() {
        return routes;
    }

    /**
     * Where the host's webhook server binds by the Twilio channels' conventions, which SMS and
     * WhatsApp share since one server serves both: {@code SMS_WEBHOOK_HOST} (default {@code
     * 0.0.0.0}) and {@code SMS_WEBHOOK_PORT} (default 8080), unset or blank taking the default.
     *
     * @return the address, unresolved; never empty
     * @throws IllegalArgumentException if {@code SMS_WEBHOOK_PORT} is not a number from 0 to 65535:
     *     {@code SMS_WEBHOOK_PORT must be a port number (0-65535): <value>}
     */
    @Override
    public final Optional<InetSocketAddress> webhookServerAddress(Map<String, String> env) {
        return Optional.of(TwilioEnv.webhookServerAddress(requireNonNull(env, "env")));
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            sender.close();
            mediaReader.close();
            log.debug("[{}] closed", profile.id());
        }
    }

    /** The channel's configuration. */
    protected final TwilioChannelConfig config() {
        return config;
    }

    /** The host's clock once started; the system UTC clock before. */
    protected final Clock clock() {
        return clock;
    }

    /**
     * Marks the channel started and takes the host's clock, for {@code receivedAt} and whatever else
     * the channel times; the first thing a channel's {@link #start} does.
     *
     * @return the host's listen address as {@code host:port}, an IPv6 literal in brackets; empty
     *     when the host has no listener and the application's server hands it the requests
     * @throws IllegalStateException if the channel was started before or is closed
     */
    protected final Optional<String> startOnce(ChannelContext context) {
        requireNonNull(context, "context");
        if (closed.get()) {
            throw new IllegalStateException("the " + profile.id() + " channel is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the " + profile.id() + " channel is already started");
        }
        clock = requireNonNull(context.clock(), "context.clock()");
        return requireNonNull(context.listenAddress(), "context.listenAddress()")
                .map(listen -> {
                    String host = listen.getHostString();
                    // An IPv6 literal needs brackets, or its last group reads as the port.
                    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listen.getPort();
                });
    }

    /**
     * Logs, after the channel's own start-up lines, the Messaging Service when it replaces the
     * number as sender and the secondary auth token when one is accepted, and warns when signatures
     * are not checked or when nobody may talk to the agent.
     */
    protected final void logStartWarnings() {
        if (config.number().isPresent() && config.messagingServiceSid().isPresent()) {
            log.info(
                    "[{}] sending through Messaging Service {}",
                    profile.id(),
                    config.messagingServiceSid().get());
        }
        if (config.secondaryAuthToken().isPresent() && !config.insecureNoSignature()) {
            // A rotation's second token is meant to go once Twilio signs with the new one.
            log.info(
                    "[{}] webhooks signed with the secondary auth token are accepted too"
                            + " (TWILIO_AUTH_TOKEN_SECONDARY): remove it once the rotation is over",
                    profile.id());
        }
        if (config.insecureNoSignature()) {
            log.warn(
                    "[{}] {}=true: webhook signatures are NOT checked, so anyone who can reach {} can post messages"
                            + " in anyone's name. For local testing only.",
                    profile.id(),
                    profile.variable("INSECURE_NO_SIGNATURE"),
                    config.webhookPath());
        }
        if (config.routes().filtersInbound() || config.routes().replyTo().isPresent()) {
            log.info("[{}] routes: {}", profile.id(), config.routes().describe());
        }
        AccessPolicy access = config.accessPolicy();
        if (!access.allowAll() && access.allowed().isEmpty()) {
            log.warn(
                    "[{}] neither {} nor {} is set: every sender is ignored",
                    profile.id(),
                    profile.variable("ALLOWED_USERS"),
                    profile.variable("ALLOW_ALL_USERS"));
        }
    }

    /**
     * Refuses a message that must not reach Twilio whatever the channel's rules; the first thing a
     * channel's {@link #send} does.
     *
     * @throws IllegalStateException if the channel is closed
     * @throws PermanentChannelException if the text is longer than {@value #MAX_MESSAGE_LENGTH}
     *     characters
     */
    protected final void checkSendable(OutboundMessage message) {
        requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the " + profile.id() + " channel is closed");
        }
        if (message.text().length() > MAX_MESSAGE_LENGTH) {
            throw new PermanentChannelException(
                    "the message is " + message.text().length() + " characters, over " + profile.displayName() + "'s "
                            + MAX_MESSAGE_LENGTH + ": split it before sending (a bug in the caller)",
                    null,
                    null);
        }
    }

    /**
     * Sends {@code message} as it is, through the channel's {@link TwilioSender}.
     *
     * @throws dev.switchboard.channel.RetriableChannelException if trying again may succeed
     * @throws PermanentChannelException if it never will
     * @throws IllegalStateException if the channel is closed
     */
    protected final SendReceipt sendAsIs(OutboundMessage message) {
        return sender.send(withSender(message));
    }

    /**
     * {@code message} with the number it goes out from settled: its own {@code from} when that is one
     * of the channel's numbers; none, when a Messaging Service sends and {@code from} is not among the
     * numbers the channel was given (the service's pool decides, and keeps a person on one number);
     * the default otherwise.
     *
     * @throws PermanentChannelException if {@code from} is not one of the channel's numbers and no
     *     Messaging Service is set
     */
    private OutboundMessage withSender(OutboundMessage message) {
        Optional<Address> from = message.from();
        if (from.isEmpty() || config.numbers().contains(from.get())) {
            return message;
        }
        if (config.messagingServiceSid().isPresent()) {
            log.debug(
                    "[{}] {} is not one of the configured numbers: sending through the Messaging Service",
                    profile.id(),
                    from.get());
            return new OutboundMessage(message.to(), message.text(), message.mediaUrls(), message.template());
        }
        throw new PermanentChannelException(
                "cannot send from " + from.get() + ": it is not one of this channel's numbers ("
                        + profile.numberVariable() + "); send from one of them or leave the sender to the channel",
                null,
                null,
                PermanentChannelException.Reason.OTHER);
    }

    /**
     * Looks up, through the channel's {@link TwilioSender}, the messages Twilio accepted that match
     * {@code message} as it is (see {@link TwilioSender#findSent}): what a channel's {@link
     * #findSent} calls with the message as its {@link #send} would have sent it.
     *
     * @throws UnsupportedOperationException if {@code message} is a template
     * @throws dev.switchboard.channel.RetriableChannelException if Twilio could not be asked
     * @throws PermanentChannelException if Twilio refused the look-up
     * @throws IllegalStateException if the channel is closed
     */
    protected final List<SendReceipt> findSentAsIs(OutboundMessage message, Instant notBefore) {
        requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the " + profile.id() + " channel is closed");
        }
        return sender.findSent(withSender(message), notBefore);
    }

    /**
     * The failure a status callback reports, worded like Twilio's refusals of a send, with Twilio's
     * code, what to do, and the reason: {@link PermanentChannelException.Reason#RECIPIENT_OPTED_OUT}
     * for 21610, {@link PermanentChannelException.Reason#CONFIGURATION} for 20003, 21606, 30034 and
     * the like.
     */
    @Override
    public Optional<PermanentChannelException> deliveryFailure(DeliveryReceipt receipt) {
        return sender.deliveryFailure(receipt);
    }
}
