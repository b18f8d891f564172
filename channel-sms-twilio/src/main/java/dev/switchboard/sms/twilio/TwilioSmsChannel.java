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
import dev.switchboard.twilio.TwilioCredentials;
import dev.switchboard.twilio.TwilioSender;
import dev.switchboard.twilio.TwilioSignature;
import dev.switchboard.twilio.TwilioWebhookHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
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
    public static final int MAX_MESSAGE_LENGTH = 1600;

    private static final Logger log = LoggerFactory.getLogger(TwilioSmsChannel.class);

    private static final ChannelCapabilities CAPABILITIES =
            new ChannelCapabilities(MAX_MESSAGE_LENGTH, TextFlavour.PLAIN, true, true);

    private final Address phoneNumber;
    private final String messagingServiceSid;
    private final boolean insecure;
    private final AccessPolicy accessPolicy;
    private final HomeChannel home;
    private final List<WebhookRoute> routes;
    private final TwilioSender sender;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Clock clock = Clock.systemUTC();

    private TwilioSmsChannel(Builder b, TwilioCredentials credentials) {
        this.phoneNumber = b.phoneNumber;
        this.messagingServiceSid = b.messagingServiceSid;
        this.insecure = b.insecure;
        this.accessPolicy = b.allowAll ? AccessPolicy.allowEveryone() : AccessPolicy.allowOnly(b.allowed);
        this.home = b.homeNumber == null ? null : new HomeChannel(b.homeNumber, b.homeName);

        String statusPath = b.webhookPath.equals("/") ? "/status" : b.webhookPath + "/status";
        String statusUrl = b.webhookUrl == null ? null : appendToPath(b.webhookUrl, "/status");
        TwilioSignature verifier = TwilioSignature.verifier(credentials.authToken());
        this.routes = List.of(
                WebhookRoute.formPost(
                        b.webhookPath, handler(TwilioWebhookHandler.Kind.INBOUND, verifier, b.webhookUrl)),
                WebhookRoute.formPost(statusPath, handler(TwilioWebhookHandler.Kind.STATUS, verifier, statusUrl)));

        TwilioSender.Builder senderBuilder = TwilioSender.builder(credentials)
                .channelId(ID)
                .addressFormat(TwilioAddressFormat.SMS)
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout);
        if (phoneNumber != null) {
            senderBuilder.from(phoneNumber);
        }
        if (messagingServiceSid != null) {
            senderBuilder.messagingServiceSid(messagingServiceSid);
        }
        if (statusUrl != null) {
            senderBuilder.statusCallback(statusUrl);
        }
        if (b.apiBaseUrl != null) {
            senderBuilder.apiBaseUrl(b.apiBaseUrl);
        }
        this.sender = senderBuilder.build();
    }

    private TwilioWebhookHandler handler(TwilioWebhookHandler.Kind kind, TwilioSignature verifier, String url) {
        TwilioWebhookHandler.Builder handler = TwilioWebhookHandler.builder(kind, ID)
                .addressFormat(TwilioAddressFormat.SMS)
                .clock(() -> clock);
        if (insecure) {
            handler.insecureNoSignature();
        } else {
            handler.signedBy(verifier, url);
        }
        return handler.build();
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
        get(env, "TWILIO_ACCOUNT_SID").ifPresent(b::accountSid);
        get(env, "TWILIO_AUTH_TOKEN").ifPresent(b::authToken);
        get(env, "TWILIO_PHONE_NUMBER").ifPresent(b::phoneNumber);
        get(env, "TWILIO_MESSAGING_SERVICE_SID").ifPresent(b::messagingServiceSid);
        get(env, "SMS_WEBHOOK_URL").ifPresent(b::webhookUrl);
        bool(env, "SMS_INSECURE_NO_SIGNATURE").ifPresent(b::insecureNoSignature);
        get(env, "SMS_ALLOWED_USERS").ifPresent(b::allowedUsers);
        bool(env, "SMS_ALLOW_ALL_USERS").ifPresent(b::allowAllUsers);
        Optional<String> homeName = get(env, "SMS_HOME_CHANNEL_NAME");
        Optional<String> homeNumber = get(env, "SMS_HOME_CHANNEL");
        if (homeNumber.isPresent()) {
            b.home(homeNumber.get(), homeName.orElse(Builder.DEFAULT_HOME_NAME));
        } else if (homeName.isPresent()) {
            throw new IllegalArgumentException(
                    "SMS_HOME_CHANNEL_NAME is set (" + homeName.get() + ") but SMS_HOME_CHANNEL is not");
        }
        get(env, "TWILIO_API_BASE_URL").ifPresent(b::apiBaseUrl);
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
        return phoneNumber == null ? Set.of() : Set.of(phoneNumber);
    }

    @Override
    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    @Override
    public Optional<HomeChannel> home() {
        return Optional.ofNullable(home);
    }

    /** The incoming-message route and the status-callback route ({@code <path>/status}). */
    @Override
    public List<WebhookRoute> routes() {
        return routes;
    }

    /**
     * Takes the host's clock for {@code receivedAt} and logs where the channel listens.
     *
     * @throws IllegalStateException if the channel was started before or is closed
     */
    @Override
    public void start(ChannelContext context) {
        requireNonNull(context, "context");
        if (closed.get()) {
            throw new IllegalStateException("the sms channel is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the sms channel is already started");
        }
        clock = requireNonNull(context.clock(), "context.clock()");
        InetSocketAddress listen = context.listenAddress();
        String host = listen.getHostString();
        // An IPv6 literal needs brackets, or its last group reads as the port.
        String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + listen.getPort();
        String from = phoneNumber != null ? phoneNumber.toString() : messagingServiceSid;
        log.info("[{}] Twilio webhook server listening on {}, from: {}", ID, hostPort, from);
        if (phoneNumber != null && messagingServiceSid != null) {
            log.info("[{}] sending through Messaging Service {}", ID, messagingServiceSid);
        }
        if (insecure) {
            log.warn(
                    "[{}] SMS_INSECURE_NO_SIGNATURE=true: webhook signatures are NOT checked, so anyone who can"
                            + " reach {} can post messages in anyone's name. For local testing only.",
                    ID,
                    routes.get(0).path());
        }
        if (!accessPolicy.allowAll() && accessPolicy.allowed().isEmpty()) {
            log.warn("[{}] neither SMS_ALLOWED_USERS nor SMS_ALLOW_ALL_USERS is set: every sender is ignored", ID);
        }
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
        requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the sms channel is closed");
        }
        if (message.text().length() > MAX_MESSAGE_LENGTH) {
            throw new PermanentChannelException(
                    "the message is " + message.text().length() + " characters, over SMS's " + MAX_MESSAGE_LENGTH
                            + ": split it before sending (a bug in the caller)",
                    null,
                    null);
        }
        OutboundMessage toSend = message;
        if (message.template().isPresent()
                && (!message.text().isEmpty() || !message.mediaUrls().isEmpty())) {
            toSend = new OutboundMessage(message.to(), message.text(), message.mediaUrls(), Optional.empty());
        }
        return sender.send(toSend);
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            sender.close();
            log.debug("[{}] closed", ID);
        }
    }

    @Override
    public String toString() {
        return "TwilioSmsChannel[from=" + (phoneNumber != null ? phoneNumber : messagingServiceSid) + ", webhook="
                + routes.get(0).path() + ", signatures=" + (insecure ? "off" : "checked") + "]";
    }

    /** {@code url} with {@code suffix} added to its path, before any query. */
    static String appendToPath(String url, String suffix) {
        int end = url.length();
        int query = url.indexOf('?');
        if (query >= 0) {
            end = query;
        }
        String path = url.substring(0, end);
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path + suffix + url.substring(end);
    }

    private static Optional<String> get(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Optional<Boolean> bool(Map<String, String> env, String key) {
        return get(env, key).map(value -> {
            if (value.equalsIgnoreCase("true")) {
                return true;
            }
            if (value.equalsIgnoreCase("false")) {
                return false;
            }
            throw new IllegalArgumentException(key + " must be true or false: " + value);
        });
    }

    /**
     * Builds a {@link TwilioSmsChannel}. Required: the account SID and auth token, a phone number or a
     * Messaging Service SID, and the public webhook URL unless signature checks are explicitly off.
     */
    public static final class Builder {

        /** The home channel's name when none is given. */
        public static final String DEFAULT_HOME_NAME = "home";

        private String accountSid;
        private String authToken;
        private Address phoneNumber;
        private String messagingServiceSid;
        private String webhookUrl;
        private boolean insecure;
        private Set<Address> allowed = Set.of();
        private boolean allowAll;
        private Address homeNumber;
        private String homeName = DEFAULT_HOME_NAME;
        private String webhookPath = DEFAULT_WEBHOOK_PATH;
        private String apiBaseUrl;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * The Twilio account SID ({@code TWILIO_ACCOUNT_SID}), {@code AC} and 32 hex digits. Required.
         */
        public Builder accountSid(String accountSid) {
            this.accountSid = requireNonNull(accountSid, "accountSid").strip();
            return this;
        }

        /** The account's auth token ({@code TWILIO_AUTH_TOKEN}). Required. */
        public Builder authToken(String authToken) {
            this.authToken = requireNonNull(authToken, "authToken").strip();
            return this;
        }

        /** Both {@link #accountSid} and {@link #authToken} at once. */
        public Builder credentials(TwilioCredentials credentials) {
            requireNonNull(credentials, "credentials");
            this.accountSid = credentials.accountSid();
            this.authToken = credentials.authToken();
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
            requireNonNull(phoneNumber, "phoneNumber");
            this.phoneNumber = TwilioAddressFormat.SMS.normalize("TWILIO_PHONE_NUMBER", phoneNumber);
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
            requireNonNull(messagingServiceSid, "messagingServiceSid");
            String sid = messagingServiceSid.strip();
            if (!sid.matches("MG[0-9a-fA-F]{32}")) {
                throw new IllegalArgumentException(
                        "TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: " + sid);
            }
            this.messagingServiceSid = sid;
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
            requireNonNull(webhookUrl, "webhookUrl");
            String url = webhookUrl.strip();
            try {
                URI uri = new URI(url);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https"))
                        && uri.getHost() != null
                        && uri.getRawFragment() == null) {
                    this.webhookUrl = url;
                    return this;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new IllegalArgumentException(
                    "SMS_WEBHOOK_URL must be an absolute http(s) URL without a fragment: " + url);
        }

        /**
         * Whether to skip signature checks ({@code SMS_INSECURE_NO_SIGNATURE}): anyone who can reach
         * the webhook can then post messages in anyone's name. For local testing only; a WARN is
         * logged at start. Default: {@code false}.
         */
        public Builder insecureNoSignature(boolean insecure) {
            this.insecure = insecure;
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
            requireNonNull(commaSeparated, "commaSeparated");
            this.allowed = TwilioAddressFormat.SMS.normalizeList("SMS_ALLOWED_USERS", commaSeparated);
            return this;
        }

        /**
         * The numbers that may talk to the agent, each normalised to E.164. Replaces earlier entries.
         *
         * @throws IllegalArgumentException if an entry is not a phone number (shown redacted)
         */
        public Builder allowedUsers(Collection<String> numbers) {
            requireNonNull(numbers, "numbers");
            Set<Address> addresses = new LinkedHashSet<>();
            for (String number : numbers) {
                addresses.add(TwilioAddressFormat.SMS.normalize("SMS_ALLOWED_USERS", number));
            }
            this.allowed = Set.copyOf(addresses);
            return this;
        }

        /**
         * Whether everyone may talk to the agent ({@code SMS_ALLOW_ALL_USERS}), whatever the allowed
         * users say. Default: {@code false}.
         */
        public Builder allowAllUsers(boolean allowAll) {
            this.allowAll = allowAll;
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
            requireNonNull(number, "number");
            requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("SMS_HOME_CHANNEL_NAME cannot be blank");
            }
            this.homeNumber = TwilioAddressFormat.SMS.normalize("SMS_HOME_CHANNEL", number);
            this.homeName = name.strip();
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
            requireNonNull(webhookPath, "webhookPath");
            if (!webhookPath.startsWith("/") || webhookPath.matches(".*[?#\\s].*")) {
                throw new IllegalArgumentException(
                        "webhookPath must start with / and have no query, fragment or whitespace: " + webhookPath);
            }
            String path = webhookPath;
            while (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            this.webhookPath = path;
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
            requireNonNull(apiBaseUrl, "apiBaseUrl");
            String url = apiBaseUrl.strip();
            TwilioSender.parseApiBaseUrl(url);
            this.apiBaseUrl = url;
            return this;
        }

        /**
         * How long to wait for a connection to Twilio. Default: 10 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * How long to wait for Twilio's answer to a send. Default: 30 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = positive("readTimeout", readTimeout);
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
            if (accountSid == null || accountSid.isEmpty()) {
                throw new IllegalStateException(
                        "TWILIO_ACCOUNT_SID is not set: set it to the SID of your Twilio account (AC…)");
            }
            if (authToken == null || authToken.isEmpty()) {
                throw new IllegalStateException(
                        "TWILIO_AUTH_TOKEN is not set: set it to the auth token of your Twilio account");
            }
            TwilioCredentials credentials = new TwilioCredentials(accountSid, authToken);
            if (phoneNumber == null && messagingServiceSid == null) {
                throw new IllegalStateException("neither TWILIO_PHONE_NUMBER nor TWILIO_MESSAGING_SERVICE_SID is"
                        + " set: set the Twilio number to send from, or a Messaging Service SID (MG…)");
            }
            if (webhookUrl == null && !insecure) {
                throw new IllegalStateException("SMS_WEBHOOK_URL is not set: Twilio signatures are checked against"
                        + " the public webhook URL. Set it to the URL Twilio calls, or set"
                        + " SMS_INSECURE_NO_SIGNATURE=true for local testing only.");
            }
            return new TwilioSmsChannel(this, credentials);
        }

        private static Duration positive(String option, Duration value) {
            requireNonNull(value, option);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(option + " must be positive: " + value);
            }
            return value;
        }
    }
}
