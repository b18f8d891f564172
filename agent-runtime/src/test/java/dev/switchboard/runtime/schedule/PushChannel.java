package dev.switchboard.runtime.schedule;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.runtime.StubChannel;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A channel for push tests: an optional home address, sends recorded with their thread, chosen sends
 * refused, message ids {@code <id>-<n>}, and a status-callback route at {@code /<id>/status} that
 * reads {@code MessageSid, To, MessageStatus, ErrorCode}.
 */
public final class PushChannel extends StubChannel {

    private static final WebhookResponse ACK =
            new WebhookResponse(200, "application/xml", "<Response/>".getBytes(StandardCharsets.UTF_8));

    /** One send, with the thread it ran on. */
    public record Sent(OutboundMessage message, String thread) {}

    private volatile HomeChannel home;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<Integer, ChannelException> failures = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();

    public PushChannel(String id, int maxMessageLength) {
        super(
                id,
                new ChannelCapabilities(
                        maxMessageLength,
                        id.equals("whatsapp") ? TextFlavour.WHATSAPP : TextFlavour.PLAIN,
                        false,
                        true));
    }

    public static PushChannel sms() {
        return new PushChannel("sms", 1600);
    }

    public static PushChannel whatsapp() {
        return new PushChannel("whatsapp", 1600);
    }

    public PushChannel home(String number) {
        this.home = new HomeChannel(Address.of(number), "ops phone");
        return this;
    }

    /** Makes the {@code call}-th send (1-based) throw {@code failure}. */
    public PushChannel failSend(int call, ChannelException failure) {
        failures.put(call, failure);
        return this;
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** Waits up to 5 seconds until {@code count} messages were sent; false if they never were. */
    public boolean awaitSent(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (sent) {
            while (sent.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(sent, left);
            }
            return true;
        }
    }

    public List<String> sentTexts() {
        return sent.stream().map(s -> s.message().text()).toList();
    }

    /** A signed-free status callback for {@code messageId}, for {@code AgentRuntime.handle}. */
    public WebhookRequest status(String messageId, String to, String status, String errorCode) {
        StringBuilder form = new StringBuilder()
                .append("MessageSid=")
                .append(encode(messageId))
                .append("&To=")
                .append(encode(to))
                .append("&MessageStatus=")
                .append(status);
        if (errorCode != null) {
            form.append("&ErrorCode=").append(errorCode);
        }
        return new WebhookRequest(
                "POST",
                "/" + id() + "/status",
                "",
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                form.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Set<Address> selfAddresses() {
        return Set.of(Address.of("+15550000000"));
    }

    /** As the Twilio channels name theirs: {@code SMS_HOME_CHANNEL}, {@code WHATSAPP_HOME_CHANNEL}. */
    @Override
    public Optional<String> homeSetting() {
        return Optional.of(id().toUpperCase(java.util.Locale.ROOT) + "_HOME_CHANNEL");
    }

    @Override
    public Optional<HomeChannel> home() {
        return Optional.ofNullable(home);
    }

    @Override
    public List<WebhookRoute> routes() {
        return List.of(WebhookRoute.formPost("/" + id() + "/status", this::handle));
    }

    @Override
    public SendReceipt send(OutboundMessage message) {
        int call = calls.incrementAndGet();
        ChannelException failure = failures.get(call);
        if (failure != null) {
            throw failure;
        }
        synchronized (sent) {
            sent.add(new Sent(message, Thread.currentThread().getName()));
            sent.notifyAll();
        }
        return new SendReceipt(id() + "-" + call, DeliveryStatus.QUEUED);
    }

    private WebhookResult handle(WebhookRequest request) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.bodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return new WebhookResult.Receipt(
                new DeliveryReceipt(
                        form.get("MessageSid"),
                        id(),
                        Address.of(form.get("To")),
                        DeliveryStatus.valueOf(form.get("MessageStatus").toUpperCase(Locale.ROOT)),
                        Optional.ofNullable(form.get("ErrorCode")),
                        Instant.EPOCH),
                ACK);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
