package dev.switchboard.samples.jsonchannel;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.MessageIdShape;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookRoute;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel to any provider that speaks plain JSON over HTTP, each request signed with an HMAC of
 * its body under a shared secret; the wire format is in the {@linkplain
 * dev.switchboard.samples.jsonchannel package documentation}. Built against {@code channel-api}
 * alone, as a third party would write one.
 *
 * <p>It answers two routes on the host's listener, both {@code POST application/json}: incoming
 * messages on the {@linkplain Builder#webhookPath webhook path} and delivery reports on the
 * {@linkplain Builder#deliveryPath delivery path}. It sends by posting to the {@linkplain
 * Builder#providerUrl provider's URL}. Addresses are taken exactly as the provider writes them.
 *
 * <p>Thread-safe. {@link #start(ChannelContext)} once, {@link #close()} any number of times.
 */
public final class JsonWebhookChannel implements Channel {

    /** The channel's id unless {@linkplain Builder#id configured}. */
    public static final String DEFAULT_ID = "json";

    /** The incoming-message path unless {@linkplain Builder#webhookPath configured}. */
    public static final String DEFAULT_WEBHOOK_PATH = "/webhooks/json";

    /** What the {@linkplain Builder#deliveryPath delivery path} adds to the webhook path by default. */
    public static final String DEFAULT_DELIVERY_SUFFIX = "/delivery";

    /** The longest text one message carries unless {@linkplain Builder#maxMessageLength configured}. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 4096;

    /** How long to wait for a connection to the provider unless configured: 5 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** How long to wait for the provider's answer to a send unless configured: 15 seconds. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);

    /** The header that carries {@code sha256=} and the hex HMAC-SHA256 of the body, both ways. */
    public static final String SIGNATURE_HEADER = JsonSignature.HEADER;

    /** The fewest bytes a shared secret may have: HMAC-SHA256 is only as strong as its key. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final Logger log = LoggerFactory.getLogger(JsonWebhookChannel.class);

    private static final Set<String> JSON = Set.of("application/json");

    private final String id;
    private final Address self;
    private final AccessPolicy accessPolicy;
    private final Optional<HomeChannel> home;
    private final String webhookPath;
    private final String deliveryPath;
    private final String providerForLogs;
    private final ChannelCapabilities capabilities;
    private final List<WebhookRoute> routes;
    private final JsonProviderClient client;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Clock clock = Clock.systemUTC();

    private JsonWebhookChannel(Builder b) {
        this.id = b.id;
        this.self = b.self;
        this.accessPolicy = b.allowAll ? AccessPolicy.allowEveryone() : AccessPolicy.allowOnly(b.allowed);
        this.home = Optional.ofNullable(b.homeAddress).map(address -> new HomeChannel(address, b.homeName));
        this.webhookPath = b.webhookPath;
        this.deliveryPath = b.deliveryPath != null ? b.deliveryPath : b.webhookPath + DEFAULT_DELIVERY_SUFFIX;
        this.providerForLogs = withoutSecrets(b.providerUrl);
        this.capabilities =
                new ChannelCapabilities(b.maxMessageLength, TextFlavour.PLAIN, false, false, MessageIdShape.OPAQUE);
        ObjectMapper json = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Two "text" fields in one signed body would leave which one counts to the parser.
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonSignature signature = new JsonSignature(b.secret);
        JsonWebhookParser parser = new JsonWebhookParser(id, signature, json, () -> clock, log);
        this.routes = List.of(
                new WebhookRoute(webhookPath, Set.of("POST"), JSON, parser::inbound),
                new WebhookRoute(deliveryPath, Set.of("POST"), JSON, parser::delivery));
        this.client = new JsonProviderClient(
                id, b.providerUrl, providerForLogs, self, signature, json, b.connectTimeout, b.readTimeout, log);
    }

    /** Starts building a channel. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * Plain text of up to the {@linkplain Builder#maxMessageLength maximum length}, no media, not
     * billed per segment, message ids of no particular shape.
     */
    @Override
    public ChannelCapabilities capabilities() {
        return capabilities;
    }

    /** The channel's own address: messages from it are echoes of its sends. */
    @Override
    public Set<Address> selfAddresses() {
        return Set.of(self);
    }

    @Override
    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    @Override
    public Optional<HomeChannel> home() {
        return home;
    }

    /** Incoming messages on the webhook path, delivery reports on the delivery path. */
    @Override
    public List<WebhookRoute> routes() {
        return routes;
    }

    /**
     * Takes the host's clock, for {@code receivedAt}, and logs where the channel listens and sends.
     *
     * @throws IllegalStateException if the channel was started before or is closed
     */
    @Override
    public void start(ChannelContext context) {
        requireNonNull(context, "context");
        if (closed.get()) {
            throw new IllegalStateException("the " + id + " channel is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the " + id + " channel is already started");
        }
        clock = requireNonNull(context.clock(), "context.clock()");
        String where = context.listenAddress()
                .map(listen -> listen.getHostString() + ":" + listen.getPort())
                .orElse("the application's HTTP server");
        log.info(
                "[{}] JSON webhooks on {} ({} and {}), sending to {} as {}",
                id,
                where,
                webhookPath,
                deliveryPath,
                providerForLogs,
                self);
        if (!accessPolicy.allowAll() && accessPolicy.allowed().isEmpty()) {
            log.warn("[{}] neither allowedUsers nor allowAllUsers is set: every sender is ignored", id);
        }
    }

    /**
     * Posts the message's text to the provider. A template is not used (a provider of plain JSON
     * has none); a message with media or with no text is refused without a request, as is text
     * longer than the maximum length.
     *
     * @throws dev.switchboard.channel.RetriableChannelException if trying again may succeed: HTTP
     *     429 or a failed connection (certainly not sent), a 5xx or no answer in time (maybe sent)
     * @throws PermanentChannelException if it never will: any other refusal, with the provider's
     *     {@code code}
     * @throws IllegalStateException if the channel is closed
     */
    @Override
    public SendReceipt send(OutboundMessage message) {
        requireNonNull(message, "message");
        if (closed.get()) {
            throw new IllegalStateException("the " + id + " channel is closed");
        }
        if (!message.mediaUrls().isEmpty()) {
            throw new PermanentChannelException(
                    "the " + id + " channel carries text only: send the media's URL in the text", null, null);
        }
        if (message.text().isEmpty()) {
            throw new PermanentChannelException(
                    "the " + id + " channel has no templates and the message to " + message.to() + " has no text",
                    null,
                    null);
        }
        if (message.text().length() > capabilities.maxMessageLength()) {
            throw new PermanentChannelException(
                    "the message is " + message.text().length() + " characters, over the " + id + " channel's "
                            + capabilities.maxMessageLength() + ": split it before sending (a bug in the caller)",
                    null,
                    null);
        }
        return client.send(message.to(), message.text());
    }

    /**
     * The failure a delivery report of {@code undelivered}, {@code failed} or {@code canceled}
     * describes, with the provider's code; {@link PermanentChannelException.Reason#RECIPIENT_OPTED_OUT}
     * for {@code recipient_opted_out}.
     */
    @Override
    public Optional<PermanentChannelException> deliveryFailure(DeliveryReceipt receipt) {
        requireNonNull(receipt, "receipt");
        if (!receipt.status().isFailure()) {
            return Optional.empty();
        }
        boolean optedOut = receipt.errorCode()
                .filter(JsonProviderClient.OPTED_OUT_CODE::equals)
                .isPresent();
        return Optional.of(new PermanentChannelException(
                "the provider reports the message " + receipt.messageId() + " to " + receipt.to() + " "
                        + JsonWebhookParser.word(receipt.status())
                        + receipt.errorCode()
                                .map(code -> " (code " + code + ")")
                                .orElse(""),
                receipt.errorCode().orElse(null),
                null,
                optedOut
                        ? PermanentChannelException.Reason.RECIPIENT_OPTED_OUT
                        : PermanentChannelException.Reason.OTHER));
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
            log.debug("[{}] closed", id);
        }
    }

    @Override
    public String toString() {
        return "JsonWebhookChannel[" + id + ", self=" + self + ", provider=" + providerForLogs + "]";
    }

    // A URL may carry credentials in its user info or a token in its query; logs get neither.
    private static String withoutSecrets(URI url) {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + port + path + (url.getRawQuery() == null ? "" : "?…");
    }

    /**
     * Builds a {@link JsonWebhookChannel}. Required: {@link #sharedSecret}, {@link #providerUrl} and
     * {@link #selfAddress}. Each option is checked as it is set, and the message of a refusal names
     * the option and the value (never the secret).
     */
    public static final class Builder {

        private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

        private String id = DEFAULT_ID;
        private String secret;
        private URI providerUrl;
        private Address self;
        private String webhookPath = DEFAULT_WEBHOOK_PATH;
        private String deliveryPath;
        private Set<Address> allowed = Set.of();
        private boolean allowAll;
        private Address homeAddress;
        private String homeName;
        private int maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;

        private Builder() {}

        /**
         * The channel's id, unique among the host's channels. Default: {@value JsonWebhookChannel#DEFAULT_ID}.
         *
         * @throws IllegalArgumentException unless lower-case letters, digits and {@code -}, starting
         *     with a letter, at most 32 characters
         */
        public Builder id(String id) {
            requireNonNull(id, "id");
            if (!ID.matcher(id).matches()) {
                throw new IllegalArgumentException(
                        "id must be lower-case letters, digits and '-', starting with a letter, at most 32"
                                + " characters: " + id);
            }
            this.id = id;
            return this;
        }

        /**
         * The secret the provider and the channel share, for the HMAC-SHA256 of every request in both
         * directions. Required.
         *
         * @throws IllegalArgumentException if shorter than {@value JsonWebhookChannel#MIN_SECRET_BYTES}
         *     bytes in UTF-8 (the message gives its length, never the secret)
         */
        public Builder sharedSecret(String secret) {
            requireNonNull(secret, "secret");
            int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("sharedSecret must be at least " + MIN_SECRET_BYTES
                        + " bytes, and is " + bytes + ": use a random value of 32 bytes or more");
            }
            this.secret = secret;
            return this;
        }

        /**
         * Where sends are posted. Required.
         *
         * @throws IllegalArgumentException if not an absolute http(s) URL with a host and without a
         *     fragment
         */
        public Builder providerUrl(String providerUrl) {
            requireNonNull(providerUrl, "providerUrl");
            String value = providerUrl.strip();
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                uri = null;
            }
            String scheme = uri == null || uri.getScheme() == null
                    ? ""
                    : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri == null
                    || !(scheme.equals("http") || scheme.equals("https"))
                    || uri.getHost() == null
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(
                        "providerUrl must be an absolute http(s) URL with a host and without a fragment: " + value);
            }
            this.providerUrl = uri;
            return this;
        }

        /**
         * The channel's own address at the provider: the {@code from} of its sends and the {@code to}
         * of messages to it; messages from it are echoes. Required.
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder selfAddress(String address) {
            this.self = address("selfAddress", address);
            return this;
        }

        /**
         * The path of the incoming-message route. Default: {@value JsonWebhookChannel#DEFAULT_WEBHOOK_PATH}.
         *
         * @throws IllegalArgumentException if it does not start with {@code /} or has a query, fragment
         *     or whitespace
         */
        public Builder webhookPath(String path) {
            this.webhookPath = path("webhookPath", path);
            return this;
        }

        /**
         * The path of the delivery-report route. Default: the webhook path plus {@value
         * JsonWebhookChannel#DEFAULT_DELIVERY_SUFFIX}.
         *
         * @throws IllegalArgumentException as for {@link #webhookPath}
         */
        public Builder deliveryPath(String path) {
            this.deliveryPath = path("deliveryPath", path);
            return this;
        }

        /**
         * The senders that may talk to the agent, exactly as the provider writes them. Replaces earlier
         * entries. Default: none.
         *
         * @throws IllegalArgumentException if an entry is blank
         */
        public Builder allowedUsers(Collection<String> addresses) {
            requireNonNull(addresses, "addresses");
            Set<Address> parsed = new LinkedHashSet<>();
            for (String address : addresses) {
                parsed.add(address("allowedUsers", address));
            }
            this.allowed = Set.copyOf(parsed);
            return this;
        }

        /** Whether everyone may talk to the agent, whatever the allowed users say. Default: {@code false}. */
        public Builder allowAllUsers(boolean allowAll) {
            this.allowAll = allowAll;
            return this;
        }

        /**
         * The home address, where pushes with no other recipient go. Default: none.
         *
         * @throws IllegalArgumentException if the address or the name is blank
         */
        public Builder home(String address, String name) {
            requireNonNull(name, "name");
            Address parsed = address("home", address);
            if (name.isBlank()) {
                throw new IllegalArgumentException("home's name cannot be blank");
            }
            this.homeAddress = parsed;
            this.homeName = name.strip();
            return this;
        }

        /**
         * The longest text one message carries, in UTF-16 code units; the host splits longer replies.
         * Default: {@value JsonWebhookChannel#DEFAULT_MAX_MESSAGE_LENGTH}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxMessageLength(int maxMessageLength) {
            if (maxMessageLength < 1) {
                throw new IllegalArgumentException("maxMessageLength must be positive: " + maxMessageLength);
            }
            this.maxMessageLength = maxMessageLength;
            return this;
        }

        /**
         * How long to wait for a connection to the provider. Default: {@link
         * JsonWebhookChannel#DEFAULT_CONNECT_TIMEOUT 5 seconds}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /**
         * How long to wait for the provider's answer to a send; past it the send may have been made.
         * Default: {@link JsonWebhookChannel#DEFAULT_READ_TIMEOUT 15 seconds}.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /**
         * Builds the channel.
         *
         * @throws IllegalStateException if a required option is missing, or the two paths are the same;
         *     the message names the option
         */
        public JsonWebhookChannel build() {
            if (secret == null) {
                throw new IllegalStateException("sharedSecret is not set: set the secret the provider signs with");
            }
            if (providerUrl == null) {
                throw new IllegalStateException("providerUrl is not set: set the URL the provider takes messages at");
            }
            if (self == null) {
                throw new IllegalStateException(
                        "selfAddress is not set: set the channel's own address at the provider");
            }
            String delivery = deliveryPath != null ? deliveryPath : webhookPath + DEFAULT_DELIVERY_SUFFIX;
            if (delivery.equals(webhookPath)) {
                throw new IllegalStateException("deliveryPath must differ from webhookPath: " + delivery);
            }
            return new JsonWebhookChannel(this);
        }

        private static Address address(String option, String value) {
            requireNonNull(value, option);
            if (value.isBlank()) {
                throw new IllegalArgumentException(option + " cannot be blank");
            }
            return Address.of(value.strip());
        }

        private static String path(String option, String value) {
            requireNonNull(value, option);
            if (!value.startsWith("/")
                    || value.contains("?")
                    || value.contains("#")
                    || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(
                        option + " must start with / and have no query, fragment or whitespace: " + value);
            }
            return value;
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
