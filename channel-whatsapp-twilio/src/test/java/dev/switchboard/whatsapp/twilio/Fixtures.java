package dev.switchboard.whatsapp.twilio;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static dev.switchboard.twilio.TwilioTestData.PERSON;

import dev.switchboard.twilio.TwilioTestData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What WhatsApp adds to the shared {@link TwilioTestData}: its addresses as Twilio writes them, its
 * environment, its incoming messages, and a clock that moves only when a test moves it.
 */
final class Fixtures {

    /** The person, as Twilio writes them on WhatsApp. */
    static final String PERSON_WA = "whatsapp:" + PERSON;

    /** The channel's WhatsApp sender, as Twilio writes it. */
    static final String OUR_WA = "whatsapp:" + OUR_NUMBER;

    static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio-whatsapp";
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static final Map<String, String> ENV = Map.of(
            "TWILIO_ACCOUNT_SID", ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN", AUTH_TOKEN,
            "TWILIO_WHATSAPP_NUMBER", OUR_WA,
            "WHATSAPP_WEBHOOK_URL", PUBLIC_URL);

    private Fixtures() {}

    /** The minimal environment of a WhatsApp channel, with {@code pairs} added, or removed when null. */
    static Map<String, String> env(String... pairs) {
        return TwilioTestData.env(ENV, pairs);
    }

    /** The fields of an incoming WhatsApp text from the person to the channel's sender. */
    static String[] inboundWhatsApp(String sid, String body, String... more) {
        List<String> fields = new ArrayList<>(List.of(
                "SmsMessageSid",
                sid,
                "NumMedia",
                "0",
                "ProfileName",
                "Ada Lovelace",
                "MessageType",
                "text",
                "SmsSid",
                sid,
                "WaId",
                PERSON.substring(1),
                "SmsStatus",
                "received",
                "Body",
                body,
                "To",
                OUR_WA,
                "NumSegments",
                "1",
                "ReferralNumMedia",
                "0",
                "MessageSid",
                sid,
                "AccountSid",
                ACCOUNT_SID,
                "From",
                PERSON_WA,
                "ApiVersion",
                "2010-04-01"));
        fields.addAll(List.of(more));
        return fields.toArray(String[]::new);
    }

    /** A clock that stands still until a test moves it. */
    static final class StepClock extends Clock {

        private volatile Instant now;

        StepClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("a test clock stays in UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
