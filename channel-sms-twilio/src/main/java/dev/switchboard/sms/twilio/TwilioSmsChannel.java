package dev.switchboard.sms.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.twilio.TwilioAddressFormat;
import dev.switchboard.twilio.TwilioChannelConfig;
import dev.switchboard.twilio.TwilioChannelCore;
import dev.switchboard.twilio.TwilioChannelProfile;
import dev.switchboard.twilio.TwilioCredentials;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMS and MMS through Twilio: one phone number (or Messaging Service) of one Twilio account.
 *
 * <p>Build it in code with {@link #builder()}, or from environment-style variables with {@link
 * #fromEnv(Map)} / {@link #builderFromEnv(Map)}:
 *
 * <table>
 *   <caption>Variables read by {@link #fromEnv(Map)}</caption>
 *   <tr><th>Variable</th><th>Builder option</th></tr>
 *   <tr><td>{@code TWILIO_ACCOUNT_SID}, {@code TWILIO_AUTH_TOKEN}</td><td>{@link Builder#accountSid},
 *       {@link Builder#authToken} (required)</td></tr>
 *   <tr><td>{@code TWILIO_PHONE_NUMBER}</td><td>{@link Builder#phoneNumber}</td></tr>
 *   <tr><td>{@code TWILIO_MESSAGING_SERVICE_SID}</td><td>{@link Builder#messagingServiceSid}</td></tr>
 *   <tr><td>{@code SMS_WEBHOOK_URL}</td><td>{@link Builder#webhookUrl}</td></tr>
 *   <tr><td>{@code SMS_INSECURE_NO_SIGNATURE}</td><td>{@link Builder#insecureNoSignature}</td></tr>
 *   <tr><td>{@code SMS_ALLOWED_USERS}</td><td>{@link Builder#allowedUsers(String)}</td></tr>
 *   <tr><td>{@code SMS_ALLOW_ALL_USERS}</td><td>{@link Builder#allowAllUsers}</td></tr>
 *   <tr><td>{@code SMS_HOME_CHANNEL}, {@code SMS_HOME_CHANNEL_NAME}</td><td>{@link Builder#home}</td></tr>
 *   <tr><td>{@code TWILIO_API_BASE_URL}</td><td>{@link Builder#apiBaseUrl}</td></tr>
 * </table>
 *
 * <p>{@code SMS_WEBHOOK_HOST} and {@code SMS_WEBHOOK_PORT} belong to the host's listener and are
 * not read here. Blank variables count as unset.
 *
 * <p>The channel answers two routes: incoming messages on the {@linkplain Builder#webhookPath
 * webhook path} ({@value #DEFAULT_WEBHOOK_PATH} by default) and status callbacks on that path plus
 * {@code /status}. Every send asks Twilio for status callbacks at the public webhook URL plus
 * {@code /status}. Both routes check {@code X-Twilio-Signature} against the public URL.
 */
public final class TwilioSmsChannel implements Channel {

    /** The channel's id. */
    public static final String ID = "sms";

    /** The default path of the incoming-message webhook on the host's listener. */
    public static final String DEFAULT_WEBHOOK_PATH = "/webhooks/twilio";

    /** The longest text Twilio takes in one message. */
    public static final int MAX_MESSAGE_LENGTH = TwilioChannelCore.MAX_MESSAGE_LENGTH;

    private static final Logger log = LoggerFactory.getLogger(TwilioSmsChannel.class);

    private static final ChannelCapabilities CAPABILITIES =
            new ChannelCapabilities(MAX_MESSAGE_LENGTH, TextFlavour.PLAIN, true, true);

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

    private final TwilioChannelCore core;

    private TwilioSmsChannel(TwilioChannelConfig config) {
        this.core = new TwilioChannelCore(config, log, UnaryOperator.identity());
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
        requireNonNull(env, "env");
        Builder b = new Builder();
        b.config.readEnv(env);
        return b;
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

    @Override
    public String id() {
        return ID;
    }

    /** 1600 characters, {@link TextFlavour#PLAIN}, media supported, billed per segment. */
    @Override
    public ChannelCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** The channel's phone number, if it has one (with only a Messaging Service: none). */
    @Override
    public Set<Address> selfAddresses() {
        return core.config().selfAddresses();
    }

    @Override
    public AccessPolicy accessPolicy() {
        return core.config().accessPolicy();
    }

    @Override
    public Optional<HomeChannel> home() {
        return core.config().home();
    }

    /** The incoming-message route and the status-callback route ({@code <path>/status}). */
    @Override
    public List<WebhookRoute> routes() {
        return core.routes();
    }

    /**
     * Takes the host's clock for {@code receivedAt} and logs where the channel listens.
     *
     * @throws IllegalStateException if the channel was started before or is closed
     */
    @Override
    public void start(ChannelContext context) {
        String listen = core.start(context);
        log.info(
                "[{}] Twilio webhook server listening on {}, from: {}",
                ID,
                listen,
                core.config().senderForLogs());
        core.logStartWarnings();
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
        core.checkSendable(message);
        OutboundMessage toSend = message;
        if (message.template().isPresent()
                && (!message.text().isEmpty() || !message.mediaUrls().isEmpty())) {
            toSend = new OutboundMessage(message.to(), message.text(), message.mediaUrls(), Optional.empty());
        }
        return core.send(toSend);
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "TwilioSmsChannel[" + core.config().summary() + "]";
    }

    /**
     * Builds a {@link TwilioSmsChannel}. Required: the account SID and auth token, a phone number or a
     * Messaging Service SID, and the public webhook URL unless signature checks are explicitly off.
     */
    public static final class Builder {

        /** The home channel's name when none is given. */
        public static final String DEFAULT_HOME_NAME = TwilioChannelConfig.DEFAULT_HOME_NAME;

        private final TwilioChannelConfig.Builder config = TwilioChannelConfig.builder(PROFILE);

        private Builder() {}

        /**
         * The Twilio account SID ({@code TWILIO_ACCOUNT_SID}), {@code AC} and 32 hex digits. Required.
         */
        public Builder accountSid(String accountSid) {
            config.accountSid(accountSid);
            return this;
        }

        /** The account's auth token ({@code TWILIO_AUTH_TOKEN}). Required. */
        public Builder authToken(String authToken) {
            config.authToken(authToken);
            return this;
        }

        /** Both {@link #accountSid} and {@link #authToken} at once. */
        public Builder credentials(TwilioCredentials credentials) {
            config.credentials(credentials);
            return this;
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
            config.number(requireNonNull(phoneNumber, "phoneNumber"));
            return this;
        }

        /**
         * A Messaging Service to send through ({@code TWILIO_MESSAGING_SERVICE_SID}), {@code MG} and
         * 32 hex digits. When set, it replaces {@code From} on every send; the phone number, if also
         * set, still counts as the channel's own address. This or {@link #phoneNumber} is required.
         *
         * @throws IllegalArgumentException if the SID is malformed
         */
        public Builder messagingServiceSid(String messagingServiceSid) {
            config.messagingServiceSid(messagingServiceSid);
            return this;
        }

        /**
         * The public URL Twilio calls for incoming messages ({@code SMS_WEBHOOK_URL}), exactly as
         * configured on the number in Twilio: signatures are checked against it, never against the
         * local URL, so behind a proxy or tunnel this is the outside one. Status callbacks are
         * requested at this URL plus {@code /status}. Required unless {@link #insecureNoSignature} is
         * set.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL without a fragment
         */
        public Builder webhookUrl(String webhookUrl) {
            config.webhookUrl(webhookUrl);
            return this;
        }

        /**
         * Whether to skip signature checks ({@code SMS_INSECURE_NO_SIGNATURE}): anyone who can reach
         * the webhook can then post messages in anyone's name. For local testing only; a WARN is
         * logged at start. Default: {@code false}.
         */
        public Builder insecureNoSignature(boolean insecure) {
            config.insecureNoSignature(insecure);
            return this;
        }

        /**
         * The numbers that may talk to the agent ({@code SMS_ALLOWED_USERS}), comma-separated, in
         * international form; each is normalised to E.164. Replaces earlier entries. Default: none
         * (deny everyone).
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
         */
        public Builder allowedUsers(String commaSeparated) {
            config.allowedUsers(commaSeparated);
            return this;
        }

        /**
         * The numbers that may talk to the agent, each normalised to E.164. Replaces earlier entries.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
         */
        public Builder allowedUsers(Collection<String> numbers) {
            config.allowedUsers(numbers);
            return this;
        }

        /**
         * Whether everyone may talk to the agent ({@code SMS_ALLOW_ALL_USERS}), whatever the allowed
         * users say. Default: {@code false}.
         */
        public Builder allowAllUsers(boolean allowAll) {
            config.allowAllUsers(allowAll);
            return this;
        }

        /**
         * The home channel ({@code SMS_HOME_CHANNEL}, {@code SMS_HOME_CHANNEL_NAME}): where pushes with
         * no other recipient go, usually the operator's phone. Default: none.
         *
         * @param number the number, in international form; normalised to E.164
         * @param name a human name for logs ({@value #DEFAULT_HOME_NAME} when read from the environment
         *     without one)
         * @throws IllegalArgumentException if the number is not a phone number or the name is blank
         */
        public Builder home(String number, String name) {
            config.home(number, name);
            return this;
        }

        /**
         * The path of the incoming-message route on the host's listener; status callbacks use this
         * path plus {@code /status}. Default: {@value TwilioSmsChannel#DEFAULT_WEBHOOK_PATH}.
         *
         * @throws IllegalArgumentException if it does not start with {@code /} or has a query,
         *     fragment or whitespace
         */
        public Builder webhookPath(String webhookPath) {
            config.webhookPath(webhookPath);
            return this;
        }

        /**
         * Sends REST calls to this base instead of Twilio ({@code TWILIO_API_BASE_URL}, e.g. {@code
         * http://127.0.0.1:41234} for a local stand-in): scheme, host and port are replaced, path and
         * query kept. Default: none.
         *
         * @throws IllegalArgumentException if it is not an absolute http(s) URL without query or
         *     fragment
         */
        public Builder apiBaseUrl(String apiBaseUrl) {
            config.apiBaseUrl(apiBaseUrl);
            return this;
        }

        /**
         * How long to wait for a connection to Twilio. Default: 10 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            config.connectTimeout(connectTimeout);
            return this;
        }

        /**
         * How long to wait for Twilio's answer to a send. Default: 30 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration readTimeout) {
            config.readTimeout(readTimeout);
            return this;
        }

        /**
         * Builds the channel.
         *
         * @throws IllegalStateException if a required option is missing: the message is one line
         *     naming the variable
         * @throws IllegalArgumentException if the account SID is malformed
         */
        public TwilioSmsChannel build() {
            return new TwilioSmsChannel(config.build());
        }
    }
}
