package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookHandler;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.twilio.TwilioSignature;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of one Twilio messaging webhook route: it checks {@code X-Twilio-Signature} against
 * the public URL Twilio calls, then parses the form into the SPI.
 *
 * <ul>
 *   <li>A missing, empty or wrong signature: {@code 403} with a short reason, logged at WARN with
 *       the path and the redacted sender (never the signature).
 *   <li>A body or field that cannot be read: {@code 400} with the reason.
 *   <li>An incoming message: {@link WebhookResult.Inbound}; a status callback: {@link
 *       WebhookResult.Receipt} (or {@link WebhookResult.Ignored} for a status that is not a delivery
 *       state). Both are acknowledged with {@code 200} and empty TwiML ({@link #emptyTwiml()}).
 * </ul>
 *
 * <p>The signed URL is the configured public URL; if it has no query and the request carries one,
 * {@code ?} and the request's raw query are appended, so one configured URL serves callbacks that
 * Twilio was given with a query. Instances are immutable, thread-safe and never block.
 */
final class TwilioWebhookHandler implements WebhookHandler {

    /** What a route receives. */
    public enum Kind {
        /** Incoming messages (the number's or sender's "A message comes in" webhook). */
        INBOUND,
        /** Status callbacks for sent messages (the {@code StatusCallback} URL of each send). */
        STATUS
    }

    private static final Logger log = LoggerFactory.getLogger(TwilioWebhookHandler.class);

    private static final byte[] EMPTY_TWIML =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>".getBytes(StandardCharsets.UTF_8);

    private final Kind kind;
    private final String channelId;
    private final TwilioWebhookParser parser;
    private final TwilioAddressFormat addressFormat;
    private final TwilioSignature verifier;
    private final String publicUrl;
    private final String publicUrlForLogs;
    private final Supplier<Clock> clock;

    private TwilioWebhookHandler(Builder builder) {
        this.kind = builder.kind;
        this.channelId = builder.channelId;
        this.addressFormat = builder.addressFormat;
        this.parser = builder.mediaOrigin == null
                ? TwilioWebhookParser.of(channelId, addressFormat)
                : TwilioWebhookParser.of(channelId, addressFormat, builder.mediaOrigin);
        this.verifier = builder.verifier;
        this.publicUrl = builder.publicUrl;
        this.publicUrlForLogs = publicUrl == null ? "" : withoutSecrets(publicUrl);
        this.clock = builder.clock;
    }

    /**
     * Starts building a handler.
     *
     * @param kind what the route receives
     * @param channelId the channel's id, stamped on parsed events and shown in logs
     */
    public static Builder builder(Kind kind, String channelId) {
        return new Builder(kind, channelId);
    }

    /**
     * The acknowledgement Twilio expects: {@code 200}, {@code text/xml}, {@code <?xml version="1.0"
     * encoding="UTF-8"?><Response/>} (reply with nothing).
     */
    public static WebhookResponse emptyTwiml() {
        return new WebhookResponse(200, "text/xml", EMPTY_TWIML.clone());
    }

    /** What this handler receives. */
    public Kind kind() {
        return kind;
    }

    /** Whether signatures are checked; {@code false} only when explicitly switched off. */
    public boolean checksSignatures() {
        return verifier != null;
    }

    /**
     * The URL signatures are checked against for {@code request}: the public URL, plus the request's
     * query if the public URL has none.
     *
     * @throws IllegalStateException if signatures are not checked
     */
    public String signedUrl(WebhookRequest request) {
        requireNonNull(request, "request");
        if (publicUrl == null) {
            throw new IllegalStateException("signature checks are off: there is no public URL");
        }
        if (publicUrl.indexOf('?') < 0 && !request.rawQuery().isEmpty()) {
            return publicUrl + "?" + request.rawQuery();
        }
        return publicUrl;
    }

    @Override
    public WebhookResult handle(WebhookRequest request) {
        requireNonNull(request, "request");
        String signature = request.header(TwilioSignature.HEADER).orElse("");
        if (verifier != null && signature.isEmpty()) {
            return forbidden(request, tryParse(request), "missing " + TwilioSignature.HEADER);
        }
        FormParameters params;
        try {
            params = FormParameters.parse(request.body());
        } catch (MalformedWebhookException e) {
            log.debug("[{}] refused a webhook on {}: {}", channelId, request.path(), e.getMessage());
            return WebhookResult.Rejected.of(400, e.getMessage());
        }
        if (verifier != null && !verifier.verify(signedUrl(request), params.asMap(), signature)) {
            return forbidden(request, Optional.of(params), "invalid " + TwilioSignature.HEADER);
        }
        Instant receivedAt = clock.get().instant();
        try {
            return kind == Kind.INBOUND ? inbound(params, receivedAt) : status(params, receivedAt);
        } catch (MalformedWebhookException e) {
            // Authentic but unreadable: Twilio changed something or a stand-in sends nonsense.
            log.warn("[{}] refused a signed webhook on {}: {}", channelId, request.path(), e.getMessage());
            return WebhookResult.Rejected.of(400, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "TwilioWebhookHandler[" + channelId + ", " + kind + ", signatures="
                + (verifier == null ? "off" : "checked against " + publicUrlForLogs) + "]";
    }

    private WebhookResult inbound(FormParameters params, Instant receivedAt) {
        InboundMessage message = parser.inbound(params, receivedAt);
        if (log.isDebugEnabled()) {
            log.debug(
                    "[{}] inbound {} from {} to {}, {} attachment(s)",
                    channelId,
                    message.id(),
                    message.from(),
                    message.to(),
                    message.attachments().size());
        }
        return new WebhookResult.Inbound(message, emptyTwiml());
    }

    private WebhookResult status(FormParameters params, Instant receivedAt) {
        Optional<DeliveryReceipt> receipt = parser.status(params, receivedAt);
        if (receipt.isEmpty()) {
            log.debug("[{}] ignored a status callback with a status that is not a delivery state", channelId);
            return new WebhookResult.Ignored(emptyTwiml());
        }
        DeliveryReceipt r = receipt.get();
        if (log.isDebugEnabled()) {
            log.debug(
                    "[{}] status {} for {} to {}{}",
                    channelId,
                    r.status(),
                    r.messageId(),
                    r.to(),
                    r.errorCode().map(code -> ", error " + code).orElse(""));
        }
        return new WebhookResult.Receipt(r, emptyTwiml());
    }

    private WebhookResult forbidden(WebhookRequest request, Optional<FormParameters> params, String reason) {
        String from =
                params.flatMap(p -> p.first("From")).map(this::redactedAddress).orElse("unknown sender");
        log.warn(
                "[{}] refused a webhook on {} from {}: {} (checked against {}; is the public webhook URL"
                        + " exactly the one configured in Twilio?)",
                channelId,
                request.path(),
                from,
                reason,
                publicUrlForLogs);
        return WebhookResult.Rejected.of(403, reason);
    }

    private String redactedAddress(String raw) {
        String value = raw.strip();
        String prefix = addressFormat.prefix();
        if (!prefix.isEmpty() && value.regionMatches(true, 0, prefix, 0, prefix.length())) {
            value = value.substring(prefix.length());
        }
        return Address.redact(value);
    }

    private static Optional<FormParameters> tryParse(WebhookRequest request) {
        try {
            return Optional.of(FormParameters.parse(request.body()));
        } catch (MalformedWebhookException e) {
            return Optional.empty();
        }
    }

    // A URL may carry credentials or a token in its user info or query; logs get neither.
    private static String withoutSecrets(String url) {
        try {
            URI uri = new URI(url);
            String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            return uri.getScheme() + "://" + uri.getHost() + port + path + (uri.getRawQuery() == null ? "" : "?…");
        } catch (URISyntaxException e) {
            return "the configured public URL";
        }
    }

    /** Builds a {@link TwilioWebhookHandler}. Either {@link #signedBy} or {@link #insecureNoSignature} is required. */
    public static final class Builder {

        private final Kind kind;
        private final String channelId;
        private TwilioAddressFormat addressFormat = TwilioAddressFormat.SMS;
        private TwilioSignature verifier;
        private String publicUrl;
        private boolean insecure;
        private Supplier<Clock> clock = Clock::systemUTC;
        private TwilioMediaOrigin mediaOrigin;

        private Builder(Kind kind, String channelId) {
            this.kind = requireNonNull(kind, "kind");
            this.channelId = requireNonNull(channelId, "channelId");
        }

        /** How the channel writes addresses. Default: {@link TwilioAddressFormat#SMS}. */
        /**
         * Where the account's media is served, so that attachments at that URL of their message are
         * available. Default: none, every attachment unavailable.
         */
        Builder mediaOrigin(TwilioMediaOrigin mediaOrigin) {
            this.mediaOrigin = requireNonNull(mediaOrigin, "mediaOrigin");
            return this;
        }

        public Builder addressFormat(TwilioAddressFormat addressFormat) {
            this.addressFormat = requireNonNull(addressFormat, "addressFormat");
            return this;
        }

        /**
         * Checks signatures with {@code verifier} against {@code publicUrl}.
         *
         * @param publicUrl the absolute URL Twilio calls for this route, exactly as configured in
         *     Twilio (behind a proxy or tunnel: the public one, never the local one)
         * @throws IllegalArgumentException if {@code publicUrl} is not an absolute http(s) URL
         */
        public Builder signedBy(TwilioSignature verifier, String publicUrl) {
            requireNonNull(verifier, "verifier");
            requireNonNull(publicUrl, "publicUrl");
            if (!publicUrl.startsWith("https://") && !publicUrl.startsWith("http://")) {
                throw new IllegalArgumentException("publicUrl must be an absolute http(s) URL: " + publicUrl);
            }
            this.verifier = verifier;
            this.publicUrl = publicUrl;
            return this;
        }

        /** Accepts requests without checking signatures: for local testing only. */
        public Builder insecureNoSignature() {
            this.insecure = true;
            return this;
        }

        /**
         * Where {@code receivedAt} comes from, read at each request so that a channel can switch to
         * its host's clock at start. Default: the system UTC clock.
         */
        public Builder clock(Supplier<Clock> clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalStateException if neither or both of {@link #signedBy} and {@link
         *     #insecureNoSignature} were called
         */
        public TwilioWebhookHandler build() {
            if (insecure == (verifier != null)) {
                throw new IllegalStateException(
                        "a Twilio webhook handler needs exactly one of signedBy(...) and insecureNoSignature()");
            }
            return new TwilioWebhookHandler(this);
        }
    }
}
