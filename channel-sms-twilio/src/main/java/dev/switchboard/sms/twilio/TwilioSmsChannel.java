package dev.switchboard.sms.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.twilio.TwilioChannelBuilder;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import dev.switchboard.twilio.internal.TwilioChannel;
import dev.switchboard.twilio.internal.TwilioChannelConfig;
import dev.switchboard.twilio.internal.TwilioChannelProfile;
import dev.switchboard.twilio.internal.TwilioMediaTypes;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMS and MMS through Twilio: one or several phone numbers (or a Messaging Service) of one Twilio
 * account.
 *
 * <p>Build it in code with {@link #builder()}, or from environment-style variables with {@link
 * #fromEnv(Map)} / {@link #builderFromEnv(Map)}:
 *
 * <table>
 *   <caption>Variables read by {@link #fromEnv(Map)}</caption>
 *   <tr><th>Variable</th><th>Builder option</th></tr>
 *   <tr><td>{@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}</td><td>{@link Builder#accountSid},
 *       {@link Builder#authToken} (required)</td></tr>
 *   <tr><td>{@code TWILIO_CREDENTIALS_FILE}</td><td>a JSON file with {@code accountSid}, {@code
 *       authToken} and {@code phoneNumber}, in their stead (see {@link TwilioChannelBuilder})</td></tr>
 *   <tr><td>{@code TWILIO_AUTH_TOKEN_SECONDARY}</td><td>{@link Builder#secondaryAuthToken}</td></tr>
 *   <tr><td>{@code TWILIO_PHONE_NUMBER}</td><td>{@link Builder#phoneNumber}, or {@link
 *       Builder#phoneNumbers(String...)} for several, comma-separated (the first is the default
 *       sender)</td></tr>
 *   <tr><td>{@code TWILIO_MESSAGING_SERVICE_SID}</td><td>{@link Builder#messagingServiceSid}</td></tr>
 *   <tr><td>{@code SMS_WEBHOOK_URL}</td><td>{@link Builder#webhookUrl}</td></tr>
 *   <tr><td>{@code SMS_INSECURE_NO_SIGNATURE}</td><td>{@link Builder#insecureNoSignature}</td></tr>
 *   <tr><td>{@code SMS_ALLOWED_USERS}</td><td>{@link Builder#allowedUsers(String)}</td></tr>
 *   <tr><td>{@code SMS_ALLOW_ALL_USERS}</td><td>{@link Builder#allowAllUsers}</td></tr>
 *   <tr><td>{@code SMS_HOME_CHANNEL}, {@code SMS_HOME_CHANNEL_NAME}</td><td>{@link Builder#home}</td></tr>
 *   <tr><td>{@code TWILIO_API_BASE_URL}</td><td>{@link Builder#apiBaseUrl}</td></tr>
 *   <tr><td>{@code SMS_ROUTE_TO}</td><td>{@link Builder#routeTo(String)}: the own numbers answered
 *       (default all)</td></tr>
 *   <tr><td>{@code SMS_ROUTE_FROM}</td><td>{@link Builder#routeFrom(String)}: the senders answered,
 *       numbers or prefixes such as {@code +44*} (default everyone)</td></tr>
 *   <tr><td>{@code SMS_REPLY_TO}</td><td>{@link Builder#replyTo}: a fixed number replies go to
 *       (default the sender)</td></tr>
 *   <tr><td>{@code SMS_MEDIA_MAX_BYTES}</td><td>{@link Builder#mediaMaxBytes}: the largest attachment
 *       read (default 5 MB)</td></tr>
 * </table>
 *
 * <p>Blank variables count as unset. {@code SMS_WEBHOOK_HOST} (default {@code 0.0.0.0}) and {@code
 * SMS_WEBHOOK_PORT} (default 8080) say where the host's webhook server binds: the channel does not
 * read them when it is built, but names that address when a host asks {@link
 * #webhookServerAddress(Map)}, for WhatsApp as well.
 *
 * <p>The channel answers two routes: incoming messages on the {@linkplain Builder#webhookPath
 * webhook path} ({@value #DEFAULT_WEBHOOK_PATH} by default) and status callbacks on that path plus
 * {@code /status}. Every send asks Twilio for status callbacks at the public webhook URL plus
 * {@code /status}. Both routes check {@code X-Twilio-Signature} against the public URL.
 */
public final class TwilioSmsChannel extends TwilioChannel {

    /** The channel's id. */
    public static final String ID = "sms";

    /** The default path of the incoming-message webhook on the host's listener. */
    public static final String DEFAULT_WEBHOOK_PATH = "/webhooks/twilio";

    /** The longest text Twilio takes in one message. */
    public static final int MAX_MESSAGE_LENGTH = TwilioChannel.MAX_MESSAGE_LENGTH;

    private static final Logger log = LoggerFactory.getLogger(TwilioSmsChannel.class);

    private static final ChannelCapabilities CAPABILITIES =
            new ChannelCapabilities(MAX_MESSAGE_LENGTH, TextFlavour.PLAIN, true, true, MESSAGE_SIDS);

    private static final TwilioChannelProfile PROFILE = new TwilioChannelProfile(
            ID,
            "SMS",
            TwilioAddressFormat.SMS,
            "SMS",
            "TWILIO_PHONE_NUMBER",
            DEFAULT_WEBHOOK_PATH,
            "set the Twilio number to send from, or a Messaging Service SID (MG…)",
            "the URL Twilio calls",
            Map.of());

    private TwilioSmsChannel(TwilioChannelConfig config) {
        super(config, log);
    }

    /** Starts building a channel in code. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder filled from environment-style variables (see the class documentation), for the
     * caller to adjust before {@link Builder#build()}. Nothing is read from the process
     * environment: pass {@code System.getenv()} explicitly if that is the source.
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
    public static TwilioSmsChannel fromEnv(Map<String, String> env) {
        return builderFromEnv(env).build();
    }

    /**
     * Whether Twilio takes media of {@code contentType} over MMS: the types Twilio lists as accepted
     * for MMS in "Accepted content types for media" (twilio.com/docs/messaging/guides/accepted-mime-types):
     * images ({@code image/jpeg}, {@code image/jpg}, {@code image/gif}, {@code image/png}, {@code
     * image/bmp}), audio, video, {@code text/vcard} and the like, and {@code application/pdf}.
     * Parameters ({@code ;charset=…}) and case are ignored.
     */
    @Override
    public boolean acceptsMediaType(String contentType) {
        return TwilioMediaTypes.MMS.accepts(requireNonNull(contentType, "contentType"));
    }

    /** 1600 characters, {@link TextFlavour#PLAIN}, media supported, billed per segment. */
    @Override
    public ChannelCapabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Takes the host's clock for {@code receivedAt} and logs where the channel listens.
     *
     * @throws IllegalStateException if the channel was started before or is closed
     */
    @Override
    public void start(ChannelContext context) {
        Optional<String> listen = startOnce(context);
        if (listen.isPresent()) {
            log.info(
                    "[{}] Twilio webhook server listening on {}, from: {}", ID, listen.get(), config().senderForLogs());
        } else {
            log.info(
                    "[{}] Twilio webhooks arrive through the application's HTTP server, from: {}",
                    ID,
                    config().senderForLogs());
        }
        logStartWarnings();
    }

    /**
     * Sends one message. Text or media go out as such; a template is used only when the message has
     * neither. Text longer than {@value #MAX_MESSAGE_LENGTH} characters is refused without a request.
     *
     * @throws dev.switchboard.channel.RetriableChannelException if trying again may succeed
     * @throws PermanentChannelException if it never will
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public SendReceipt send(OutboundMessage message) {
        checkSendable(message);
        return sendAsIs(asSent(message));
    }

    /**
     * Looks up the messages Twilio accepted from an earlier {@link #send} of {@code message} whose
     * answer was lost: to the same number, from this channel's number (or Messaging Service), created
     * since {@code notBefore} (less 30 seconds for Twilio's clock), with the same text. One request,
     * reading the 50 most recent messages to the number.
     *
     * @throws UnsupportedOperationException if {@code message} would go out as a template (no text,
     *     no media), whose body Twilio renders
     * @throws dev.switchboard.channel.RetriableChannelException if Twilio could not be asked
     * @throws PermanentChannelException if Twilio refused the look-up
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public List<SendReceipt> findSent(OutboundMessage message, Instant notBefore) {
        return findSentAsIs(asSent(requireNonNull(message, "message")), notBefore);
    }

    // Text or media go out as such; a template only when the message has neither.
    private static OutboundMessage asSent(OutboundMessage message) {
        if (message.template().isPresent()
                && (!message.text().isEmpty() || !message.mediaUrls().isEmpty())) {
            return new OutboundMessage(message.to(), message.text(), message.mediaUrls(), Optional.empty());
        }
        return message;
    }

    @Override
    public String toString() {
        return "TwilioSmsChannel[" + config().summary() + "]";
    }

    /**
     * Builds a {@link TwilioSmsChannel}. Required: the account SID and auth token, a phone number or a
     * Messaging Service SID, and the public webhook URL unless signature checks are explicitly off.
     * The options SMS shares with WhatsApp are those of {@link TwilioChannelBuilder}, where {@code
     * <PREFIX>} is {@code SMS}.
     */
    public static final class Builder extends TwilioChannelBuilder<Builder> {

        private Builder() {
            super(PROFILE);
        }

        private static Builder fromEnv(Map<String, String> env) {
            return new Builder().readEnv(env);
        }

        /**
         * The channel's Twilio number ({@code TWILIO_PHONE_NUMBER}), in international form; it is
         * normalised to E.164 ({@code +1 (555) 123-4567} becomes {@code +15551234567}). Sends use it as
         * {@code From} unless a Messaging Service is set; messages from it are echoes and dropped.
         * This or {@link #messagingServiceSid} is required.
         *
         * @throws IllegalArgumentException if it is not a phone number (the message shows it redacted)
         */
        public Builder phoneNumber(String phoneNumber) {
            return number(requireNonNull(phoneNumber, "phoneNumber"));
        }

        /**
         * Several Twilio numbers for one channel ({@code TWILIO_PHONE_NUMBER=+15551230001,+15551230002}),
         * each in international form and normalised to E.164. The first is the default sender (of
         * pushes, and of every send when no Messaging Service is set); a reply goes out from the
         * number the person texted when the host names it; messages from any of them are echoes. A
         * message to a number not among them is left out ({@link #unrouted}) unless a Messaging
         * Service is set. Replaces an earlier {@link #phoneNumber}.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none
         *     is given
         */
        public Builder phoneNumbers(String... phoneNumbers) {
            return numbers(List.of(phoneNumbers));
        }

        /**
         * Several Twilio numbers, as for {@link #phoneNumbers(String...)}.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted), or none
         *     is given
         */
        public Builder phoneNumbers(Collection<String> phoneNumbers) {
            return numbers(phoneNumbers);
        }

        /**
         * Builds the channel.
         *
         * @throws IllegalStateException if a required option is missing: the message is one line
         *     naming the variable
         * @throws IllegalArgumentException if the account SID is malformed
         */
        public TwilioSmsChannel build() {
            return new TwilioSmsChannel(buildConfig());
        }
    }
}
