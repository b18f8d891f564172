package dev.switchboard.runtime;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel for tests. Its handler accepts a request whose {@code X-Test-Signature} header is {@code
 * ok} and reads a form of {@code MessageSid, From, To, Body} (and {@code OptOutType}), or, with {@code MessageStatus}, a
 * delivery report; with {@code throw}, it throws. Sends are recorded; chosen sends fail.
 */
public final class FakeChannel extends StubChannel {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    public static final WebhookResponse ACK =
            new WebhookResponse(200, "application/xml", "<Response/>".getBytes(StandardCharsets.UTF_8));

    private final String path;
    private volatile Set<Address> self;
    private volatile Set<String> mediaTypes = Set.of();
    private volatile Address routeOnlyTo;
    private volatile Address replyTo;
    private final Map<URI, byte[]> media = new ConcurrentHashMap<>();
    private volatile AccessPolicy policy = AccessPolicy.allowEveryone();
    private final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.BlockingQueue<OutboundMessage> sends =
            new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile Optional<dev.switchboard.channel.HomeChannel> home = Optional.empty();
    private final Map<Integer, ChannelException> failures = new ConcurrentHashMap<>();
    private final AtomicInteger sendCalls = new AtomicInteger();
    private final AtomicInteger handled = new AtomicInteger();
    private volatile ChannelContext context;
    private volatile boolean closed;
    private volatile RuntimeException startFailure;
    private volatile String hostVariable;
    private volatile String portVariable;
    private final List<AcceptedMessage> accepted = new CopyOnWriteArrayList<>();

    /** A message the host told this channel it accepted, and the thread it told it on. */
    public record AcceptedMessage(InboundMessage message, String thread) {}

    public FakeChannel(String id, String path, Address self) {
        this(id, path, self, new ChannelCapabilities(1600, TextFlavour.PLAIN, false, true));
    }

    public FakeChannel(String id, String path, Address self, ChannelCapabilities capabilities) {
        super(id, capabilities);
        this.path = path;
        this.self = Set.of(self);
    }

    public static FakeChannel sms() {
        return new FakeChannel("sms", "/webhooks/test", Address.of("+15550000000"));
    }

    /** A channel that sends media of these types and reads the attachments {@link #serve} gives. */
    public static FakeChannel mms(String... mediaTypes) {
        FakeChannel channel = new FakeChannel(
                "sms",
                "/webhooks/test",
                Address.of("+15550000000"),
                new ChannelCapabilities(1600, TextFlavour.PLAIN, true, true));
        channel.mediaTypes = Set.of(mediaTypes);
        return channel;
    }

    /** Gives the channel more own addresses than its first. */
    public FakeChannel alsoOwns(Address... more) {
        Set<Address> all = new java.util.LinkedHashSet<>(self);
        all.addAll(List.of(more));
        this.self = Set.copyOf(all);
        return this;
    }

    /** An inbound route: messages to any own address but {@code to} are left out. */
    public FakeChannel routeOnlyTo(Address to) {
        this.routeOnlyTo = to;
        return this;
    }

    /** An outbound route: every reply goes to {@code to}. */
    public FakeChannel replyTo(Address to) {
        this.replyTo = to;
        return this;
    }

    /** Makes an attachment at {@code url} readable, with these bytes. */
    public FakeChannel serve(URI url, byte[] bytes) {
        media.put(url, bytes.clone());
        return this;
    }

    @Override
    public boolean acceptsMediaType(String contentType) {
        return mediaTypes.contains(contentType);
    }

    @Override
    public Optional<String> unrouted(InboundMessage message) {
        Address only = routeOnlyTo;
        return only == null || only.equals(message.to())
                ? Optional.empty()
                : Optional.of("sent to " + message.to() + ", which this channel's routes do not answer");
    }

    @Override
    public Address replyAddress(ConversationKey conversation) {
        Address fixed = replyTo;
        return fixed == null ? conversation.counterpart() : fixed;
    }

    @Override
    public MediaContent readAttachment(InboundMessage message, Attachment attachment) {
        byte[] bytes = attachment.available() ? media.get(attachment.url()) : null;
        if (bytes == null) {
            throw new PermanentChannelException("attachment not available", null, null);
        }
        return new MediaContent(attachment.contentType(), bytes);
    }

    public FakeChannel policy(AccessPolicy policy) {
        this.policy = policy;
        return this;
    }

    /** Gives the channel a home address. */
    public FakeChannel home(String number) {
        this.home = Optional.of(new dev.switchboard.channel.HomeChannel(Address.of(number), "owner"));
        return this;
    }

    @Override
    public Optional<dev.switchboard.channel.HomeChannel> home() {
        return home;
    }

    /** Waits up to 10 s for the next message sent that was not returned before. */
    public OutboundMessage nextSent() throws InterruptedException {
        OutboundMessage next = sends.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no send within 10 s; sent " + sent.size());
        }
        return next;
    }

    /** The next message sent, if one was sent and not returned before. */
    public Optional<OutboundMessage> pollSent() {
        return Optional.ofNullable(sends.poll());
    }

    /** Makes the {@code call}-th send (1-based, over the channel's life) throw {@code failure}. */
    public FakeChannel failSend(int call, ChannelException failure) {
        failures.put(call, failure);
        return this;
    }

    /** Gives the channel environment conventions for the webhook server: these two variables. */
    public FakeChannel serverVariables(String host, String port) {
        this.hostVariable = host;
        this.portVariable = port;
        return this;
    }

    /** The messages the host said it accepted, in order. */
    public List<AcceptedMessage> accepted() {
        return List.copyOf(accepted);
    }

    @Override
    public void accepted(InboundMessage message) {
        accepted.add(new AcceptedMessage(message, Thread.currentThread().getName()));
    }

    @Override
    public Optional<InetSocketAddress> webhookServerAddress(Map<String, String> env) {
        if (hostVariable == null) {
            return Optional.empty();
        }
        String host = env.getOrDefault(hostVariable, "0.0.0.0").strip();
        String port = env.getOrDefault(portVariable, "8080").strip();
        try {
            int number = Integer.parseInt(port);
            if (number >= 0 && number <= 65535) {
                return Optional.of(InetSocketAddress.createUnresolved(host, number));
            }
        } catch (NumberFormatException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException(portVariable + " must be a port number (0-65535): " + port);
    }

    public FakeChannel failStart(RuntimeException failure) {
        this.startFailure = failure;
        return this;
    }

    public List<OutboundMessage> sent() {
        return List.copyOf(sent);
    }

    public List<String> sentTexts() {
        return sent.stream().map(OutboundMessage::text).toList();
    }

    public int sendCalls() {
        return sendCalls.get();
    }

    public int handled() {
        return handled.get();
    }

    public ChannelContext context() {
        return context;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public Set<Address> selfAddresses() {
        return self;
    }

    @Override
    public AccessPolicy accessPolicy() {
        return policy;
    }

    @Override
    public List<WebhookRoute> routes() {
        return List.of(WebhookRoute.formPost(path, this::handle));
    }

    @Override
    public void start(ChannelContext context) {
        if (startFailure != null) {
            throw startFailure;
        }
        this.context = context;
    }

    @Override
    public SendReceipt send(OutboundMessage message) {
        int call = sendCalls.incrementAndGet();
        if (closed) {
            throw new PermanentChannelException("channel " + id() + " is closed", null, null);
        }
        ChannelException failure = failures.get(call);
        if (failure != null) {
            throw failure;
        }
        sent.add(message);
        sends.add(message);
        return new SendReceipt("SM" + call, DeliveryStatus.QUEUED);
    }

    @Override
    public void close() {
        closed = true;
    }

    private WebhookResult handle(WebhookRequest request) {
        handled.incrementAndGet();
        if (request.header("X-Test-Signature").map("throw"::equals).orElse(false)) {
            throw new IllegalStateException("handler bug");
        }
        if (!request.header("X-Test-Signature").map("ok"::equals).orElse(false)) {
            return WebhookResult.Rejected.of(403, "invalid signature");
        }
        Map<String, String> form = parseForm(request.bodyAsString());
        if (form.containsKey("MessageStatus")) {
            DeliveryStatus status =
                    DeliveryStatus.valueOf(form.get("MessageStatus").toUpperCase(Locale.ROOT));
            return new WebhookResult.Receipt(
                    new DeliveryReceipt(
                            form.get("MessageSid"),
                            id(),
                            Address.of(form.get("To")),
                            status,
                            Optional.ofNullable(form.get("ErrorCode")),
                            Instant.EPOCH),
                    ACK);
        }
        if (!form.containsKey("MessageSid") || !form.containsKey("From") || !form.containsKey("To")) {
            return WebhookResult.Rejected.of(400, "missing fields");
        }
        Map<String, String> extras =
                form.containsKey("OptOutType") ? Map.of("OptOutType", form.get("OptOutType")) : Map.of();
        List<Attachment> attachments = new ArrayList<>();
        for (int i = 0; form.containsKey("MediaUrl" + i); i++) {
            URI url = URI.create(form.get("MediaUrl" + i));
            attachments.add(new Attachment(
                    url, form.getOrDefault("MediaContentType" + i, "image/png"), media.containsKey(url)));
        }
        InboundMessage message = new InboundMessage(
                form.get("MessageSid"),
                id(),
                Address.of(form.get("From")),
                Address.of(form.get("To")),
                form.getOrDefault("Body", ""),
                attachments,
                Instant.EPOCH,
                extras);
        return new WebhookResult.Inbound(message, ACK);
    }

    static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            form.putIfAbsent(
                    URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return form;
    }

    /**
     * Posts {@code body} to {@code path} on the runtime's webhook server over a real socket, with the
     * signature header this channel checks ({@code ok} passes; null sends none).
     */
    public static HttpResponse<String> post(
            AgentRuntime runtime, String path, String contentType, String signature, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Test-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts a signed form {@code body} to the channel's default path; the answer's status. */
    public static int post(AgentRuntime runtime, String body) throws IOException, InterruptedException {
        return post(runtime, "/webhooks/test", "application/x-www-form-urlencoded", "ok", body)
                .statusCode();
    }

    /** A form body for an inbound message. */
    public static String form(String sid, String from, String to, String body) {
        List<String> pairs = new ArrayList<>();
        pairs.add("MessageSid=" + encode(sid));
        pairs.add("From=" + encode(from));
        pairs.add("To=" + encode(to));
        pairs.add("Body=" + encode(body));
        return String.join("&", pairs);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
