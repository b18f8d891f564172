package dev.switchboard.samples.jsonchannel;

import static dev.switchboard.samples.jsonchannel.JsonTestData.GUESSED_SECRET;
import static dev.switchboard.samples.jsonchannel.JsonTestData.OURS;
import static dev.switchboard.samples.jsonchannel.JsonTestData.PERSON;
import static dev.switchboard.samples.jsonchannel.JsonTestData.SECRET;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.testkit.ChannelContractTest;
import dev.switchboard.channel.testkit.ChannelFixture;
import dev.switchboard.channel.testkit.InboundWebhook;
import dev.switchboard.channel.testkit.ProviderSend;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The JSON channel keeps the channel contract, against a fake provider on a loopback socket. */
class JsonWebhookChannelContractTest extends ChannelContractTest {

    @Override
    protected ChannelFixture createFixture() throws Exception {
        return new JsonFixture(FakeJsonProvider.start());
    }

    /** The contract's fixture: what a third party writes for its own channel. */
    private static final class JsonFixture implements ChannelFixture {

        private final FakeJsonProvider provider;
        private final JsonWebhookChannel channel;
        private final AtomicInteger inboundIds = new AtomicInteger();

        JsonFixture(FakeJsonProvider provider) {
            this.provider = provider;
            this.channel = JsonTestData.channel(provider.url()).build();
        }

        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public Address person() {
            return Address.of(PERSON);
        }

        @Override
        public Address channelAddress() {
            return Address.of(OURS);
        }

        @Override
        public InboundWebhook inbound(Address from, String text) {
            String id = "in-" + inboundIds.incrementAndGet();
            return new InboundWebhook(id, message(SECRET, id, from, text));
        }

        @Override
        public WebhookRequest forgedInbound(Address from, String text) {
            return message(GUESSED_SECRET, "in-" + inboundIds.incrementAndGet(), from, text);
        }

        @Override
        public WebhookRequest deliveryReport(
                String messageId, Address to, DeliveryStatus status, Optional<String> errorCode) {
            List<String> fields = new ArrayList<>(List.of(
                    "id", messageId, "to", to.value(), "status", status.name().toLowerCase(Locale.ROOT)));
            errorCode.ifPresent(code -> fields.addAll(List.of("error_code", code)));
            return JsonTestData.signed(
                    SECRET,
                    JsonWebhookChannel.DEFAULT_WEBHOOK_PATH + JsonWebhookChannel.DEFAULT_DELIVERY_SUFFIX,
                    JsonTestData.json(fields.toArray(String[]::new)));
        }

        @Override
        public String deliveryErrorCode() {
            return "unreachable";
        }

        @Override
        public String acceptNextSend() {
            return provider.acceptNext();
        }

        /** HTTP 429 {@code rate_limited}, or HTTP 503 {@code provider_unavailable}. */
        @Override
        public Optional<String> failNextSendRetriably(boolean mayHaveBeenProcessed) {
            if (mayHaveBeenProcessed) {
                provider.answer(FakeJsonProvider.Answer.error(503, "provider_unavailable"));
                return Optional.of("provider_unavailable");
            }
            provider.answer(FakeJsonProvider.Answer.error(429, "rate_limited").withHeader("Retry-After", "2"));
            return Optional.of("rate_limited");
        }

        /** HTTP 400 {@code invalid_recipient}. */
        @Override
        public String failNextSendPermanently() {
            provider.answer(FakeJsonProvider.Answer.error(400, "invalid_recipient"));
            return "invalid_recipient";
        }

        @Override
        public List<ProviderSend> sentToProvider() {
            return provider.received().stream()
                    .map(r -> new ProviderSend(Address.of(r.to()), r.text()))
                    .toList();
        }

        @Override
        public void close() {
            provider.close();
        }

        private WebhookRequest message(String secret, String id, Address from, String text) {
            return JsonTestData.signed(
                    secret,
                    JsonWebhookChannel.DEFAULT_WEBHOOK_PATH,
                    JsonTestData.inbound(id, from.value(), OURS, text));
        }
    }
}
