package dev.switchboard.whatsapp.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.twilio.TwilioChannelBuilder;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import dev.switchboard.twilio.internal.TwilioChannel;
import dev.switchboard.twilio.internal.TwilioChannelConfig;
import dev.switchboard.twilio.internal.TwilioChannelProfile;
import dev.switchboard.twilio.internal.TwilioMediaTypes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WhatsApp through Twilio: one WhatsApp sender (or Messaging Service) of one Twilio account, with
 * WhatsApp's 24-hour customer-service window kept per person.
 *
 * <p>Build it in code with {@link #builder()}, or from environment-style variables with {@link
 * #fromEnv(Map)} / {@link #builderFromEnv(Map)}:
 *
 * <table>
 *   <caption>Variables read by {@link #fromEnv(Map)}</caption>
 *   <tr><th>Variable</th><th>Builder option</th></tr>
 *   <tr><td>{@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}</td><td>{@link Builder#accountSid},
 *       {@link Builder#authToken} (required)</td></tr>
 *   <tr><td>{@code TWILIO_CREDENTIALS_FILE}</td><td>a JSON file with {@code accountSid} and {@code
 *       authToken} (and the SMS channel's {@code phoneNumber}, not read here), in their stead (see
 *       {@link TwilioChannelBuilder})</td></tr>
 *   <tr><td>{@code TWILIO_AUTH_TOKEN_SECONDARY}</td><td>{@link Builder#secondaryAuthToken}</td></tr>
 *   <tr><td>{@code TWILIO_WHATSAPP_NUMBER}</td><td>{@link Builder#whatsAppNumber}, or {@link
 *       Builder#whatsAppNumbers(String...)} for several, comma-separated</td></tr>
 *   <tr><td>{@code TWILIO_MESSAGING_SERVICE_SID}</td><td>{@link Builder#messagingServiceSid}</td></tr>
 *   <tr><td>{@code WHATSAPP_WEBHOOK_URL}</td><td>{@link Builder#webhookUrl}</td></tr>
 *   <tr><td>{@code WHATSAPP_INSECURE_NO_SIGNATURE}</td><td>{@link Builder#insecureNoSignature}</td></tr>
 *   <tr><td>{@code WHATSAPP_ALLOWED_USERS}</td><td>{@link Builder#allowedUsers(String)}</td></tr>
 *   <tr><td>{@code WHATSAPP_ALLOW_ALL_USERS}</td><td>{@link Builder#allowAllUsers}</td></tr>
 *   <tr><td>{@code WHATSAPP_HOME_CHANNEL}, {@code WHATSAPP_HOME_CHANNEL_NAME}</td><td>{@link
 *       Builder#home}</td></tr>
 *   <tr><td>{@code TWILIO_API_BASE_URL}</td><td>{@link Builder#apiBaseUrl}</td></tr>
 *   <tr><td>{@code WHATSAPP_ROUTE_TO}, {@code WHATSAPP_ROUTE_FROM}, {@code WHATSAPP_REPLY_TO}</td><td>{@link
 *       Builder#routeTo(String)}, {@link Builder#routeFrom(String)}, {@link Builder#replyTo}</td></tr>
 *   <tr><td>{@code WHATSAPP_MEDIA_MAX_BYTES}</td><td>{@link Builder#mediaMaxBytes}</td></tr>
 * </table>
 *
 * <p>Blank variables count as unset. The host's webhook server, which WhatsApp shares with SMS, binds
 * where {@code SMS_WEBHOOK_HOST} (default {@code 0.0.0.0}) and {@code SMS_WEBHOOK_PORT} (default
 * 8080) say: the channel names that address when a host asks {@link #webhookServerAddress(Map)}.
 *
 * <p>Phone numbers may be written with or without the {@code whatsapp:} prefix; inside Switchboard
 * every address is plain E.164, so allowlists, home channels and history match across SMS and
 * WhatsApp. The prefix is added and removed at the Twilio boundary only.
 *
 * <p>The channel answers two routes on the host's listener, which it shares with the SMS channel:
 * incoming messages on the {@linkplain Builder#webhookPath webhook path} ({@value
 * #DEFAULT_WEBHOOK_PATH} by default) and status callbacks on that path plus {@code /status}. Both
 * check {@code X-Twilio-Signature} against the public URL.
 *
 * <h2>The 24-hour window</h2>
 *
 * <p>WhatsApp takes free text from a business only within 24 hours of the person's last message;
 * after that, only an approved template, or the message fails with Twilio error 63016 minutes later.
 * The channel records when each person last wrote (in a {@link ConversationWindowStore}, in memory
 * by default) as the host {@linkplain #accepted accepts} each of their messages, and {@link
 * #send(OutboundMessage)} decides before any request: inside the window, free text; outside it, the
 * message's own template, else the {@linkplain Builder#proactiveTemplate proactive template}, else
 * an immediate {@link PermanentChannelException} with provider code {@value #WINDOW_CLOSED_CODE}
 * ({@link #windowClosed}) and nothing sent.
 */
public final class TwilioWhatsAppChannel extends TwilioChannel {

    /** The channel's id. */
    public static final String ID = "whatsapp";

    /** The default path of the incoming-message webhook on the host's listener. */
    public static final String DEFAULT_WEBHOOK_PATH = "/webhooks/twilio-whatsapp";

    /** The longest text Twilio takes in one WhatsApp message. */
    public static final int MAX_MESSAGE_LENGTH = TwilioChannel.MAX_MESSAGE_LENGTH;

    /** WhatsApp's customer-service window: free text is allowed this long after a person's message. */
    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    /** Twilio's error code for free text outside the window, carried by {@link #windowClosed}. */
    public static final String WINDOW_CLOSED_CODE = "63016";

    private static final Logger log = LoggerFactory.getLogger(TwilioWhatsAppChannel.class);

    private static final ChannelCapabilities CAPABILITIES =
            new ChannelCapabilities(MAX_MESSAGE_LENGTH, TextFlavour.WHATSAPP, true, false, MESSAGE_SIDS);

    private static final Pattern CONTENT_SID = Pattern.compile("HX[0-9a-fA-F]{32}");

    private static final String TEMPLATE_ADVICE = "Send a Content API template (OutboundMessage.withTemplate) or"
            + " configure a default template (TwilioWhatsAppChannel.Builder#proactiveTemplate,"
            + " WHATSAPP_HOME_TEMPLATE_SID in the sample gateway)";

    // Advice that differs from SMS's, or codes SMS never meets. {to} is the redacted recipient.
    private static final Map<Integer, String> ERROR_MESSAGES = Map.of(
            21606,
            "Twilio error 21606: the From address is not a WhatsApp sender of this account; check"
                    + " TWILIO_WHATSAPP_NUMBER, or send through TWILIO_MESSAGING_SERVICE_SID with the WhatsApp"
                    + " sender in its pool",
            21656,
            "Twilio error 21656: Twilio refused the template's ContentVariables; check that they match the"
                    + " template's placeholders",
            63003,
            "Twilio error 63003: the recipient {to} cannot be reached on WhatsApp (not a WhatsApp number, or"
                    + " no longer active); drop the number or reach them another way",
            63007,
            "Twilio error 63007: Twilio has no WhatsApp sender for the From address; check"
                    + " TWILIO_WHATSAPP_NUMBER, that the sender is approved, and that it belongs to"
                    + " TWILIO_ACCOUNT_SID",
            63015,
            "Twilio error 63015: the recipient {to} has not joined this account's WhatsApp Sandbox; they"
                    + " must first send the sandbox's join code",
            63016,
            "Twilio error 63016: WhatsApp's 24-hour window with {to} is closed, so free text is refused. "
                    + TEMPLATE_ADVICE,
            63018,
            "Twilio error 63018: the WhatsApp sender is over its messaging limit; send more slowly and start"
                    + " fewer new conversations a day",
            63027,
            "Twilio error 63027: WhatsApp has no approved template for this ContentSid in the recipient's"
                    + " language; check the template's approval in the Twilio console",
            63028,
            "Twilio error 63028: the number of ContentVariables does not match the template's" + " placeholders");

    private static final TwilioChannelProfile PROFILE = new TwilioChannelProfile(
            ID,
            "WhatsApp",
            TwilioAddressFormat.WHATSAPP,
            "WHATSAPP",
            "TWILIO_WHATSAPP_NUMBER",
            DEFAULT_WEBHOOK_PATH,
            "set the WhatsApp sender's number, or a Messaging Service SID (MG…) whose pool has it",
            "the URL Twilio calls for WhatsApp messages",
            ERROR_MESSAGES);

    // The host's store replaces the default one at start, if the host has a durable one.
    private volatile ConversationWindowStore windowStore;
    private final boolean defaultStore;
    private final Duration window;
    private final String proactiveContentSid;
    private final Function<? super OutboundMessage, Optional<Template>> proactiveTemplates;

    private TwilioWhatsAppChannel(Builder b, TwilioChannelConfig config, ConversationWindowStore windowStore) {
        super(config, log);
        this.window = b.window;
        this.defaultStore = b.windowStore == null;
        this.windowStore = windowStore;
        this.proactiveContentSid = b.proactiveContentSid;
        this.proactiveTemplates = b.proactiveTemplates;
    }

    /** Starts building a channel in code. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder filled from environment-style variables (see the class documentation), for the
     * caller to adjust before {@link Builder#build()}: a proactive template, say. Nothing is read from
     * the process environment: pass {@code System.getenv()} explicitly if that is the source.
     *
     * @throws IllegalArgumentException if a variable's value is invalid, naming the variable and the
     *     value (phone numbers redacted)
     */
    public static Builder builderFromEnv(Map<String, String> env) {
        return Builder.fromEnv(env);
    }

    /**
     * A channel configured from environment-style variables: {@code builderFromEnv(env).build()}.
     *
     * @throws IllegalArgumentException if a variable's value is invalid
     * @throws IllegalStateException if a required variable is missing
     */
    public static TwilioWhatsAppChannel fromEnv(Map<String, String> env) {
        return builderFromEnv(env).build();
    }

    /**
     * The failure of a send outside the window with no template: permanent, with provider code
     * {@value #WINDOW_CLOSED_CODE}, and a message that names the redacted recipient, when they last
     * wrote, and how to configure a template. {@link #send(OutboundMessage)} throws it before any
     * request, and {@link #deliveryFailure(DeliveryReceipt)} gives it for a later status callback with
     * error 63016 (see {@link #windowClosedFailure(DeliveryReceipt)}), so a host reports both alike.
     *
     * @param to the recipient
     * @param lastInbound when they last wrote, if known
     */
    public static PermanentChannelException windowClosed(Address to, Optional<Instant> lastInbound) {
        requireNonNull(to, "to");
        requireNonNull(lastInbound, "lastInbound");
        String last = lastInbound
                .map(at -> at.truncatedTo(ChronoUnit.SECONDS).toString())
                .orElse("none on record");
        return new PermanentChannelException(
                "WhatsApp's 24-hour window with " + to + " is closed (last inbound: " + last + "): free text would"
                        + " fail with Twilio error " + WINDOW_CLOSED_CODE + ". " + TEMPLATE_ADVICE,
                WINDOW_CLOSED_CODE,
                null);
    }

    /**
     * The {@link #windowClosed} failure for a status callback that reports Twilio error {@value
     * #WINDOW_CLOSED_CODE}: free text that went out and was refused after all (the window closed
     * while it was queued, or the window's state was lost).
     *
     * @return the failure, or empty if the receipt does not report error {@value #WINDOW_CLOSED_CODE}
     */
    public Optional<PermanentChannelException> windowClosedFailure(DeliveryReceipt receipt) {
        requireNonNull(receipt, "receipt");
        if (receipt.errorCode().filter(WINDOW_CLOSED_CODE::equals).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(windowClosed(receipt.to(), windowStore.lastInbound(receipt.to())));
    }

    /**
     * Whether free text to {@code person} would be sent now: they wrote within the {@linkplain
     * Builder#window window}, by the channel's clock.
     */
    public boolean isWindowOpen(Address person) {
        requireNonNull(person, "person");
        return isOpen(windowStore.lastInbound(person), clock().instant());
    }

    private boolean isOpen(Optional<Instant> lastInbound, Instant now) {
        return lastInbound.isPresent() && now.isBefore(lastInbound.get().plus(window));
    }

    /**
     * Opens (or extends) the {@linkplain Builder#window window} with the message's sender from when
     * the message arrived ({@link InboundMessage#receivedAt()}), in the {@linkplain
     * Builder#windowStore window store}. The host calls it once per message it accepted, after
     * answering Twilio and before the message's turn, so that a reply finds the window open, while
     * a message it refused (a forged one, a repeat of one already seen, one over the sender's
     * inbound limit) leaves the window as it was. A store that fails is logged at WARN and the
     * message goes on: the next send then finds the window as the store last knew it.
     */
    @Override
    public void accepted(InboundMessage message) {
        requireNonNull(message, "message");
        try {
            windowStore.recordInbound(message.from(), message.receivedAt());
        } catch (RuntimeException e) {
            log.warn("[{}] could not record the window with {} in {}", ID, message.from(), windowStore, e);
        }
    }

    /**
     * Whether Twilio's API for WhatsApp takes media of {@code contentType}: the formats of Twilio's
     * "Guidance on WhatsApp Media Messages" (twilio.com/docs/whatsapp/guidance-whatsapp-media-messages):
     * JPEG and PNG images; OGG (opus), AMR, 3GP, AAC and MPEG audio; MP4 video; PDF, DOC, DOCX, PPTX
     * and XLSX documents; vCard contacts. WebP is left out (stickers only). Parameters and case are
     * ignored.
     */
    @Override
    public boolean acceptsMediaType(String contentType) {
        return TwilioMediaTypes.WHATSAPP.accepts(requireNonNull(contentType, "contentType"));
    }

    /** 1600 characters, {@link TextFlavour#WHATSAPP}, media supported, not billed per segment. */
    @Override
    public ChannelCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Takes the host's clock, for {@code receivedAt} and for the window, and logs where the channel
     * listens and how it treats the window.
     *
     * @throws IllegalStateException if the channel was started before or is closed
     */
    @Override
    public void start(ChannelContext context) {
        String path = config().webhookPath();
        String where =
                startOnce(context).map(listen -> listen + path).orElse(path + " of the application's HTTP server");
        boolean hostStore = defaultStore && context.state().isPresent();
        if (hostStore) {
            windowStore = new HostWindowStore(context.state().get());
        }
        log.info("[{}] Twilio WhatsApp webhook on {}, from: {}", ID, where, config().senderForLogs());
        log.info(
                "[{}] the {} window is {}; outside it: {}",
                ID,
                window,
                hostStore
                        ? "kept in the runtime's store (shared by replicas, kept over restarts)"
                        : defaultStore
                                ? "kept in memory (after a restart it counts as closed until each person writes"
                                        + " again)"
                                : "kept in " + windowStore,
                proactiveContentSid != null
                        ? "template " + proactiveContentSid
                        : proactiveTemplates != null
                                ? "the application's proactive templates"
                                : "a message's own template, or an immediate failure (no proactive template)");
        logStartWarnings();
    }

    /**
     * Sends one message, choosing by the recipient's window before any request:
     *
     * <ul>
     *   <li>A message with neither text nor media goes out as its template, at any time.
     *   <li>Inside the window: the text (WhatsApp formatting and all) and media, as free text; a
     *       template on the message is not used.
     *   <li>Outside it: the message's own template, else the {@linkplain Builder#proactiveTemplate
     *       proactive template} (the text goes into its variable); the template replaces the text and
     *       the media.
     *   <li>Outside it with no template: {@link #windowClosed} is thrown and nothing is sent.
     * </ul>
     *
     * Text longer than {@value #MAX_MESSAGE_LENGTH} characters is refused without a request.
     *
     * @throws dev.switchboard.channel.RetriableChannelException if trying again may succeed
     * @throws PermanentChannelException if it never will, including a closed window with no template
     *     (provider code {@value #WINDOW_CLOSED_CODE})
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public SendReceipt send(OutboundMessage message) {
        checkSendable(message);
        if (message.text().isEmpty() && message.mediaUrls().isEmpty()) {
            return sendAsIs(message);
        }
        Optional<Instant> lastInbound = windowStore.lastInbound(message.to());
        if (isOpen(lastInbound, clock().instant())) {
            return sendAsIs(
                    message.template().isEmpty()
                            ? message
                            : new OutboundMessage(message.to(), message.text(), message.mediaUrls(), Optional.empty()));
        }
        Optional<Template> template = message.template().or(() -> proactiveTemplate(message));
        if (template.isEmpty()) {
            log.debug("[{}] window with {} is closed and no template was given: nothing sent", ID, message.to());
            throw windowClosed(message.to(), lastInbound);
        }
        log.debug(
                "[{}] window with {} is closed: sending template {}{}",
                ID,
                message.to(),
                template.get().id(),
                message.mediaUrls().isEmpty() ? "" : " without the message's media");
        return sendAsIs(new OutboundMessage(message.to(), "", List.of(), template));
    }

    /**
     * Looks up the messages Twilio accepted from an earlier {@link #send} of {@code message} whose
     * answer was lost, as {@link #send} would have sent it: inside the window, free text to the same
     * person from this channel's sender, created since {@code notBefore} (less 30 seconds for
     * Twilio's clock), with the same text. One request, reading the 50 most recent messages to the
     * person.
     *
     * @throws UnsupportedOperationException if the message went out as a template (outside the
     *     window, or with neither text nor media): Twilio renders a template's body, so it cannot be
     *     matched
     * @throws dev.switchboard.channel.RetriableChannelException if Twilio could not be asked
     * @throws PermanentChannelException if Twilio refused the look-up
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
        requireNonNull(message, "message");
        if (message.text().isEmpty() && message.mediaUrls().isEmpty()) {
            return findSentAsIs(message, notBefore);
        }
        if (!isOpen(windowStore.lastInbound(message.to()), clock().instant())) {
            throw new UnsupportedOperationException(
                    "outside WhatsApp's window the message went out as a template, which cannot be looked up");
        }
        return findSentAsIs(
                new OutboundMessage(message.to(), message.text(), message.mediaUrls(), Optional.empty()), notBefore);
    }

    /**
     * The failure a status callback reports: for error {@value #WINDOW_CLOSED_CODE}, the same {@link
     * #windowClosed} failure {@link #send} throws before any request (see {@link
     * #windowClosedFailure}); for the others, Twilio's code worded as for SMS, with WhatsApp's own
     * advice where it differs.
     */
    @Override
    public Optional<PermanentChannelException> deliveryFailure(DeliveryReceipt receipt) {
        requireNonNull(receipt, "receipt");
        if (!receipt.status().isFailure()) {
            return Optional.empty();
        }
        return windowClosedFailure(receipt).or(() -> super.deliveryFailure(receipt));
    }

    private Optional<Template> proactiveTemplate(OutboundMessage message) {
        if (proactiveContentSid != null) {
            if (message.text().isEmpty()) {
                throw new PermanentChannelException(
                        "WhatsApp's 24-hour window with " + message.to() + " is closed and the message has no"
                                + " text for the proactive template's variable 1 (media alone cannot go into a"
                                + " template): send text, or a template of your own (OutboundMessage.withTemplate)",
                        WINDOW_CLOSED_CODE,
                        null);
            }
            return Optional.of(new Template(proactiveContentSid, Map.of("1", message.text())));
        }
        if (proactiveTemplates != null) {
            return requireNonNull(proactiveTemplates.apply(message), "the proactive template function returned null");
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "TwilioWhatsAppChannel[" + config().summary() + ", window=" + window + "]";
    }

    /**
     * Builds a {@link TwilioWhatsAppChannel}. Required: the account SID and auth token, a WhatsApp
     * number or a Messaging Service SID, and the public webhook URL unless signature checks are
     * explicitly off. The options WhatsApp shares with SMS are those of {@link TwilioChannelBuilder},
     * where {@code <PREFIX>} is {@code WHATSAPP}; numbers may carry the {@code whatsapp:} prefix or
     * not.
     */
    public static final class Builder extends TwilioChannelBuilder<Builder> {

        private Duration window = DEFAULT_WINDOW;
        private ConversationWindowStore windowStore;
        private String proactiveContentSid;
        private Function<? super OutboundMessage, Optional<Template>> proactiveTemplates;

        private Builder() {
            super(PROFILE);
        }

        private static Builder fromEnv(Map<String, String> env) {
            return new Builder().readEnv(env);
        }

        /**
         * The channel's WhatsApp sender ({@code TWILIO_WHATSAPP_NUMBER}), in international form, with
         * or without the {@code whatsapp:} prefix; it is kept in plain E.164 ({@code whatsapp:+1 555
         * 123 4567} becomes {@code +15551234567}). Sends use it as {@code From} (as {@code
         * whatsapp:+15551234567}) unless a Messaging Service is set. This or {@link
         * #messagingServiceSid} is required.
         *
         * @throws IllegalArgumentException if it is not a phone number (the message shows it redacted)
         */
        public Builder whatsAppNumber(String whatsAppNumber) {
            return number(requireNonNull(whatsAppNumber, "whatsAppNumber"));
        }

        /**
         * Several WhatsApp senders for one channel ({@code
         * TWILIO_WHATSAPP_NUMBER=whatsapp:+15551230001,+15551230002}), each as for {@link
         * #whatsAppNumber}: the first is the default sender; a reply goes out from the sender the
         * person wrote to when the host names it; messages from any of them are echoes. Replaces an
         * earlier {@link #whatsAppNumber}.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none
         *     is given
         */
        public Builder whatsAppNumbers(String... whatsAppNumbers) {
            return numbers(List.of(whatsAppNumbers));
        }

        /**
         * Several WhatsApp senders, as for {@link #whatsAppNumbers(String...)}.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none
         *     is given
         */
        public Builder whatsAppNumbers(Collection<String> whatsAppNumbers) {
            return numbers(whatsAppNumbers);
        }

        /**
         * How long after a person's last message free text may be sent. WhatsApp's rule is 24 hours,
         * counted from when the person sent; the channel counts from when the webhook arrived, so a
         * shorter window leaves a margin for messages that wait in a queue. Default: {@link
         * TwilioWhatsAppChannel#DEFAULT_WINDOW 24 hours}.
         *
         * @throws IllegalArgumentException if not positive, or longer than 24 hours (free text would
         *     fail)
         */
        public Builder window(Duration window) {
            requireNonNull(window, "window");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive: " + window);
            }
            if (window.compareTo(DEFAULT_WINDOW) > 0) {
                throw new IllegalArgumentException(
                        "window cannot be longer than WhatsApp's 24 hours (free text would fail with 63016): "
                                + window);
            }
            this.window = window;
            return this;
        }

        /**
         * Where each person's last message time is kept. Default: {@link
         * ConversationWindowStore#inMemory(Duration) in memory} for the {@link #window}, lost on restart
         * (every window then counts as closed until the person writes again).
         */
        public Builder windowStore(ConversationWindowStore windowStore) {
            this.windowStore = requireNonNull(windowStore, "windowStore");
            return this;
        }

        /**
         * The Content API template to send outside the window when a message brings none of its own:
         * a scheduled push to the home channel, or a late reply. The message's text becomes the
         * template's variable {@code 1} ({@code ContentVariables} {@code {"1": text}}), so the
         * template's body is typically {@code {{1}}} with a little framing; its media is not sent.
         * Replaces an earlier {@link #proactiveTemplate(Function)}. Default: none (sends outside the
         * window without a template fail at once).
         *
         * @param contentSid the template's SID, {@code HX} and 32 hex digits, approved for WhatsApp
         * @throws IllegalArgumentException if the SID is malformed
         */
        public Builder proactiveTemplate(String contentSid) {
            requireNonNull(contentSid, "contentSid");
            String sid = contentSid.strip();
            if (!CONTENT_SID.matcher(sid).matches()) {
                throw new IllegalArgumentException(
                        "proactiveTemplate must be a Content SID, HX followed by 32 hex digits: " + sid);
            }
            this.proactiveContentSid = sid;
            this.proactiveTemplates = null;
            return this;
        }

        /**
         * Chooses the template for each message that must go out outside the window without one of its
         * own: the application maps the message (recipient, text) to a template and its variables, or
         * to empty, in which case the send fails at once as without a template. Called on the sending
         * thread. Replaces an earlier {@link #proactiveTemplate(String)}. Default: none.
         */
        public Builder proactiveTemplate(Function<? super OutboundMessage, Optional<Template>> templateFor) {
            this.proactiveTemplates = requireNonNull(templateFor, "templateFor");
            this.proactiveContentSid = null;
            return this;
        }

        /**
         * Builds the channel.
         *
         * @throws IllegalStateException if a required option is missing: the message is one line
         *     naming the variable
         * @throws IllegalArgumentException if the account SID is malformed
         */
        public TwilioWhatsAppChannel build() {
            TwilioChannelConfig config = buildConfig();
            return new TwilioWhatsAppChannel(
                    this, config, windowStore != null ? windowStore : ConversationWindowStore.inMemory(window));
        }
    }
}
