package dev.switchboard.channel;

import dev.switchboard.channel.testkit.ChannelFixture;
import dev.switchboard.channel.testkit.InboundWebhook;
import dev.switchboard.channel.testkit.ProviderSend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The contract's fixture for a {@link ReferenceChannel} with the given defect. */
final class ReferenceFixture implements ChannelFixture {

    private final ReferenceChannel.Provider provider = new ReferenceChannel.Provider();
    private final ReferenceChannel channel;

    ReferenceFixture(ReferenceChannel.Defect defect) {
        this.channel = new ReferenceChannel(provider, defect);
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public Address person() {
        return Address.of("+15557654321");
    }

    @Override
    public Address channelAddress() {
        return ReferenceChannel.OURS;
    }

    @Override
    public InboundWebhook inbound(Address from, String text) {
        String id = provider.newId();
        return new InboundWebhook(id, message(ReferenceChannel.SECRET, id, from, text));
    }

    @Override
    public WebhookRequest forgedInbound(Address from, String text) {
        return message("guessed-secret", provider.newId(), from, text);
    }

    @Override
    public WebhookRequest deliveryReport(
            String messageId, Address to, DeliveryStatus status, Optional<String> errorCode) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", messageId);
        fields.put("to", to.value());
        fields.put("status", status.name());
        errorCode.ifPresent(code -> fields.put("error", code));
        return request(ReferenceChannel.STATUS_PATH, ReferenceChannel.SECRET, fields);
    }

    @Override
    public String deliveryErrorCode() {
        return "E-UNREACHABLE";
    }

    @Override
    public String acceptNextSend() {
        String id = provider.newId();
        provider.script(new ReferenceChannel.Provider.Accept(id));
        return id;
    }

    @Override
    public Optional<String> failNextSendRetriably(boolean mayHaveBeenProcessed) {
        if (mayHaveBeenProcessed) {
            provider.script(new ReferenceChannel.Provider.Unavailable("E-UNAVAILABLE"));
            return Optional.of("E-UNAVAILABLE");
        }
        provider.script(new ReferenceChannel.Provider.Throttled("E-THROTTLED"));
        return Optional.of("E-THROTTLED");
    }

    @Override
    public String failNextSendPermanently() {
        provider.script(new ReferenceChannel.Provider.Refused("E-INVALID-RECIPIENT"));
        return "E-INVALID-RECIPIENT";
    }

    @Override
    public List<ProviderSend> sentToProvider() {
        return provider.received();
    }

    @Override
    public void close() {}

    private WebhookRequest message(String secret, String id, Address from, String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", id);
        fields.put("from", from.value());
        fields.put("to", ReferenceChannel.OURS.value());
        fields.put("text", text);
        return request(ReferenceChannel.INBOUND_PATH, secret, fields);
    }

    private static WebhookRequest request(String path, String secret, Map<String, String> fields) {
        byte[] body = ReferenceChannel.body(fields);
        return new WebhookRequest(
                "POST",
                path,
                "",
                Map.of(
                        "Content-Type",
                        "text/plain; charset=utf-8",
                        ReferenceChannel.MAC_HEADER,
                        ReferenceChannel.mac(secret, body)),
                body);
    }
}
