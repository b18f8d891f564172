package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.whatsapp.twilio.Fixtures.PUBLIC_URL;

import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.testkit.ChannelContractTest;
import dev.switchboard.channel.testkit.ChannelFixture;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.TwilioContractFixture;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import java.util.EnumSet;

/**
 * The WhatsApp channel keeps the channel contract, against the Twilio stand-in. The kit has the
 * person write before each send, as a host would, so free text goes out inside the 24-hour window.
 */
class TwilioWhatsAppChannelContractTest extends ChannelContractTest {

    @Override
    protected ChannelFixture createFixture() throws Exception {
        FakeTwilioApi api = FakeTwilioApi.start();
        TwilioWhatsAppChannel channel = TwilioWhatsAppChannel.fromEnv(
                Fixtures.env("WHATSAPP_ALLOW_ALL_USERS", "true", "TWILIO_API_BASE_URL", api.baseUrl()));
        return new TwilioContractFixture(
                api,
                channel,
                TwilioAddressFormat.WHATSAPP,
                TwilioWhatsAppChannel.DEFAULT_WEBHOOK_PATH,
                PUBLIC_URL,
                EnumSet.allOf(DeliveryStatus.class));
    }
}
