package dev.switchboard.sms.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;

import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.testkit.ChannelContractTest;
import dev.switchboard.channel.testkit.ChannelFixture;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.TwilioContractFixture;
import dev.switchboard.twilio.internal.TwilioAddressFormat;
import java.util.EnumSet;
import java.util.Map;

/** The SMS channel keeps the channel contract, against the Twilio stand-in. */
class TwilioSmsChannelContractTest extends ChannelContractTest {

    private static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio";

    @Override
    protected ChannelFixture createFixture() throws Exception {
        FakeTwilioApi api = FakeTwilioApi.start();
        TwilioSmsChannel channel = TwilioSmsChannel.fromEnv(Map.of(
                "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
                "TWILIO_PHONE_NUMBER", OUR_NUMBER,
                "SMS_WEBHOOK_URL", PUBLIC_URL,
                "SMS_ALLOW_ALL_USERS", "true",
                "TWILIO_API_BASE_URL", api.baseUrl()));
        // Twilio reports read receipts on WhatsApp only.
        return new TwilioContractFixture(
                api,
                channel,
                TwilioAddressFormat.SMS,
                TwilioSmsChannel.DEFAULT_WEBHOOK_PATH,
                PUBLIC_URL,
                EnumSet.complementOf(EnumSet.of(DeliveryStatus.READ)));
    }
}
