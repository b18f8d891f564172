package dev.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
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

    @Test
    void routesEveryMessageAndRepliesToTheCounterpartByDefault() {
        InboundMessage message = new InboundMessage("M3", "minimal", TO, TO, "hi", List.of(), Instant.EPOCH, Map.of());

        assertThat(channel.unrouted(message)).isEmpty();
        assertThat(channel.replyAddress(message.conversation())).isEqualTo(TO);
    }

    @Test
    void cannotReadAttachmentsNorSendMediaByDefault() {
        Attachment picture = new Attachment(URI.create("https://media.example.com/1.png"), "image/png");
        InboundMessage message =
                new InboundMessage("M4", "minimal", TO, TO, "", List.of(picture), Instant.EPOCH, Map.of());

        assertThatThrownBy(() -> channel.readAttachment(message, picture))
                .isInstanceOf(PermanentChannelException.class)
                .hasMessageContaining("minimal cannot read attachments");
        assertThat(channel.acceptsMediaType("image/png")).isFalse();
    }

    @Test
    void anAttachmentIsAvailableUnlessSaidOtherwise() {
        URI url = URI.create("https://media.example.com/1.png");

        assertThat(new Attachment(url, "image/png").available()).isTrue();
        assertThat(new Attachment(url, "image/png", false).available()).isFalse();
    }

    @Test
    void mediaContentIsCopiedAndNeverShowsItsBytes() {
        byte[] bytes = {1, 2, 3};
        MediaContent content = new MediaContent("image/png", bytes);
        bytes[0] = 9;
        content.bytes()[1] = 9;

        assertThat(content.bytes()).containsExactly(1, 2, 3);
        assertThat(content.size()).isEqualTo(3);
        assertThat(content).isEqualTo(new MediaContent("image/png", new byte[] {1, 2, 3}));
        assertThat(content.toString()).isEqualTo("MediaContent[contentType=image/png, size=3]");
        assertThatThrownBy(() -> new MediaContent(" ", bytes)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOutboundMessageKeepsItsSenderThroughEveryChangeAndShowsItRedacted() {
        Address own = Address.of("+15551230002");
        OutboundMessage message = OutboundMessage.text(TO, "hi").withFrom(own);

        assertThat(OutboundMessage.text(TO, "hi").from()).isEmpty();
        assertThat(message.withMedia(List.of(URI.create("https://example.com/a.png")))
                        .withTemplate(new Template("HX1", Map.of()))
                        .from())
                .hasValue(own);
        assertThat(message.toString()).contains("from=+1555***0002").doesNotContain("+15551230002");
        assertThat(OutboundMessage.text(TO, "hi").toString()).contains("from=default");
    }
}
