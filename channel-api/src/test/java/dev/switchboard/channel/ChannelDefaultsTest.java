package dev.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a channel that implements only the required methods does for the optional ones. */
class ChannelDefaultsTest {

    private static final Address TO = Address.of("+15551230001");

    private final Channel channel = new Channel() {
        @Override
        public String id() {
            return "minimal";
        }

        @Override
        public ChannelCapabilities capabilities() {
            return new ChannelCapabilities(160, TextFlavour.PLAIN, false, false);
        }

        @Override
        public Set<Address> selfAddresses() {
            return Set.of();
        }

        @Override
        public AccessPolicy accessPolicy() {
            return AccessPolicy.denyAll();
        }

        @Override
        public Optional<HomeChannel> home() {
            return Optional.empty();
        }

        @Override
        public List<WebhookRoute> routes() {
            return List.of();
        }

        @Override
        public void start(ChannelContext context) {}

        @Override
        public SendReceipt send(OutboundMessage message) {
            return new SendReceipt("M1", DeliveryStatus.QUEUED);
        }

        @Override
        public void close() {}
    };

    @Test
    void cannotLookUpSentMessagesByDefault() {
        assertThatThrownBy(() -> channel.findSent(OutboundMessage.text(TO, "hi"), Instant.EPOCH))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("minimal");
    }

    @Test
    void addsNothingToAFailedReceiptByDefault() {
        DeliveryReceipt failed = new DeliveryReceipt(
                "M1", "minimal", TO, DeliveryStatus.UNDELIVERED, Optional.of("30003"), Instant.EPOCH);

        assertThat(channel.deliveryFailure(failed)).isEmpty();
    }

    @Test
    void hasNoServerConventionsAndIgnoresAcceptedMessagesByDefault() {
        assertThat(channel.webhookServerAddress(Map.of("SMS_WEBHOOK_PORT", "9000")))
                .isEmpty();
        channel.accepted(new InboundMessage("M2", "minimal", TO, TO, "hi", List.of(), Instant.EPOCH, Map.of()));
    }

    @Test
    void permanentFailuresHaveNoParticularReasonUnlessGivenOne() {
        PermanentChannelException plain = new PermanentChannelException("invalid number", "21211", null);
        PermanentChannelException optedOut = new PermanentChannelException(
                "unsubscribed", "21610", null, PermanentChannelException.Reason.RECIPIENT_OPTED_OUT);

        assertThat(plain.reason()).isEqualTo(PermanentChannelException.Reason.OTHER);
        assertThat(optedOut.reason()).isEqualTo(PermanentChannelException.Reason.RECIPIENT_OPTED_OUT);
        assertThat(optedOut.providerCode()).hasValue("21610");
    }
}
