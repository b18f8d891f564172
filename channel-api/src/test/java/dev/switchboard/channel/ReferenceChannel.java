package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.testkit.ProviderSend;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A small channel on an in-memory provider, written to keep the channel contract, with {@linkplain
 * Defect defects} that can be switched on one at a time to show that the contract's tests catch
 * them.
 *
 * <p>The provider's webhooks are {@code text/plain} lines of {@code name=value}, values
 * percent-encoded, authenticated by {@code X-Reference-Mac}: the hex HMAC-SHA256 of the body.
 */
final class ReferenceChannel implements Channel {

    static final String SECRET = "reference-secret";
    static final String MAC_HEADER = "X-Reference-Mac";
    static final String INBOUND_PATH = "/reference/in";
    static final String STATUS_PATH = "/reference/status";
    static final Address OURS = Address.of("+15550001111");

    /** One way to break the contract. */
    enum Defect {
        NONE,
        ACCEPTS_FORGERIES,
        SYSTEM_CLOCK,
        WRONG_CHANNEL_ID,
        ASCII_ONLY,
        UNDECLARED_MEDIA_TYPE,
        CLAIMS_ANOTHER_ID_SHAPE,
        RAW_NUMBER_IN_ERRORS,
        THROTTLING_MAY_HAVE_SENT,
        DROPS_PROVIDER_CODE,
        REFUSES_REPEATED_REPORTS,
        ACCEPTED_THROWS_AFTER_CLOSE,
        CLOSE_TWICE_THROWS,
        SENDS_AFTER_CLOSE
    }

    /** The in-memory provider: what it answers to each send, and what it received. */
    static final class Provider {

        sealed interface Answer {}

        record Accept(String id) implements Answer {}

        record Throttled(String code) implements Answer {}

        record Unavailable(String code) implements Answer {}

        record Refused(String code) implements Answer {}

        private final Deque<Answer> script = new ArrayDeque<>();
        private final List<ProviderSend> received = new ArrayList<>();
        private int ids;

        synchronized void script(Answer answer) {
            script.add(answer);
        }

        synchronized String newId() {
            return String.format(Locale.ROOT, "RM%08x", ++ids);
        }

        synchronized Answer send(Address to, String text) {
            received.add(new ProviderSend(to, text));
            Answer answer = script.poll();
            return answer != null ? answer : new Accept(newId());
        }

        synchronized List<ProviderSend> received() {
            return List.copyOf(received);
        }
    }

    private final Provider provider;
    private final Defect defect;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<String> reportsSeen = Collections.synchronizedSet(new HashSet<>());
    private volatile Clock clock = Clock.systemUTC();

    ReferenceChannel(Provider provider, Defect defect) {
        this.provider = requireNonNull(provider, "provider");
        this.defect = requireNonNull(defect, "defect");
    }

    @Override
    public String id() {
        return "reference";
    }

    @Override
    public ChannelCapabilities capabilities() {
        MessageIdShape shape = defect == Defect.CLAIMS_ANOTHER_ID_SHAPE
                ? MessageIdShape.lettersThenHex(2, 32)
                : MessageIdShape.lettersThenHex(2, 8);
        return new ChannelCapabilities(160, TextFlavour.PLAIN, false, false, shape);
    }

    @Override
    public Set<Address> selfAddresses() {
        return Set.of(OURS);
    }

    @Override
    public AccessPolicy accessPolicy() {
        return AccessPolicy.allowEveryone();
    }

    @Override
    public Optional<HomeChannel> home() {
        return Optional.empty();
    }

    @Override
    public List<WebhookRoute> routes() {
        Set<String> statusTypes = defect == Defect.UNDECLARED_MEDIA_TYPE ? Set.of() : Set.of("text/plain");
        return List.of(
                new WebhookRoute(INBOUND_PATH, Set.of("POST"), Set.of("text/plain"), this::inbound),
                new WebhookRoute(STATUS_PATH, Set.of("POST"), statusTypes, this::status));
    }

    @Override
    public void start(ChannelContext context) {
        if (defect != Defect.SYSTEM_CLOCK) {
            clock = context.clock();
        }
    }

    @Override
    public SendReceipt send(OutboundMessage message) {
        if (closed.get() && defect != Defect.SENDS_AFTER_CLOSE) {
            throw new IllegalStateException("the reference channel is closed");
        }
        Address to = message.to();
        String shown = defect == Defect.RAW_NUMBER_IN_ERRORS ? to.value() : to.toString();
        Provider.Answer answer = provider.send(to, message.text());
        if (answer instanceof Provider.Accept accept) {
            return new SendReceipt(accept.id(), DeliveryStatus.QUEUED);
        }
        if (answer instanceof Provider.Throttled throttled) {
            throw new RetriableChannelException(
                    "throttled sending to " + shown + ": send again after a backoff",
                    code(throttled.code()),
                    null,
                    defect == Defect.THROTTLING_MAY_HAVE_SENT,
                    null);
        }
        if (answer instanceof Provider.Unavailable unavailable) {
            throw new RetriableChannelException(
                    "the provider failed sending to " + shown + ": the message may have been sent",
                    code(unavailable.code()),
                    null,
                    true,
                    null);
        }
        Provider.Refused refused = (Provider.Refused) answer;
        throw new PermanentChannelException("the provider refused " + shown, code(refused.code()), null);
    }

    @Override
    public void accepted(InboundMessage message) {
        if (closed.get() && defect == Defect.ACCEPTED_THROWS_AFTER_CLOSE) {
            throw new IllegalStateException("closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) && defect == Defect.CLOSE_TWICE_THROWS) {
            throw new IllegalStateException("already closed");
        }
    }

    @Override
    public String toString() {
        return "ReferenceChannel[" + OURS + "]";
    }

    /** The body of a webhook: {@code name=value} lines, values percent-encoded. */
    static byte[] body(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((name, value) -> body.append(name)
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8))
                .append('\n'));
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code X-Reference-Mac} of {@code body} under {@code secret}. */
    static String mac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private String code(String code) {
        return defect == Defect.DROPS_PROVIDER_CODE ? null : code;
    }

    private WebhookResult inbound(WebhookRequest request) {
        Optional<Map<String, String>> fields = verifiedFields(request);
        if (fields.isEmpty()) {
            return WebhookResult.Rejected.of(403, "bad " + MAC_HEADER);
        }
        Map<String, String> f = fields.get();
        String text = f.get("text");
        if (defect == Defect.ASCII_ONLY) {
            text = text.replaceAll("[^\\x00-\\x7F]", "?");
        }
        String channelId = defect == Defect.WRONG_CHANNEL_ID ? "ref" : id();
        InboundMessage message = new InboundMessage(
                f.get("id"),
                channelId,
                Address.of(f.get("from")),
                Address.of(f.get("to")),
                text,
                List.of(),
                clock.instant(),
                Map.of());
        return new WebhookResult.Inbound(message, WebhookResponse.text(200, "ok"));
    }

    private WebhookResult status(WebhookRequest request) {
        Optional<Map<String, String>> fields = verifiedFields(request);
        if (fields.isEmpty()) {
            return WebhookResult.Rejected.of(403, "bad " + MAC_HEADER);
        }
        Map<String, String> f = fields.get();
        if (!reportsSeen.add(f.get("id") + f.get("status")) && defect == Defect.REFUSES_REPEATED_REPORTS) {
            return WebhookResult.Rejected.of(409, "seen before");
        }
        DeliveryReceipt receipt = new DeliveryReceipt(
                f.get("id"),
                id(),
                Address.of(f.get("to")),
                DeliveryStatus.valueOf(f.get("status")),
                Optional.ofNullable(f.get("error")),
                clock.instant());
        return new WebhookResult.Receipt(receipt, WebhookResponse.text(200, "ok"));
    }

    private Optional<Map<String, String>> verifiedFields(WebhookRequest request) {
        if (defect != Defect.ACCEPTS_FORGERIES) {
            byte[] expected = mac(SECRET, request.body()).getBytes(StandardCharsets.US_ASCII);
            byte[] given = request.header(MAC_HEADER).orElse("").getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(expected, given)) {
                return Optional.empty();
            }
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : request.bodyAsString().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), URLDecoder.decode(line.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.of(fields);
    }
}
