package dev.switchboard.whatsapp.twilio;

import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.twilio.TwilioSignature;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/** An account, numbers, environments and signed WhatsApp webhooks, as Twilio would send them. */
final class Fixtures {

    static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    static final String AUTH_TOKEN = "test-auth-token-0123456789";
    static final String SERVICE_SID = "MG0123456789abcdef0123456789abcdef";
    static final String CONTENT_SID = "HX0123456789abcdef0123456789abcdef";
    static final String MESSAGE_SID = "SM0123456789abcdef0123456789abcdef";
    static final String MEDIA_SID = "MMfedcba9876543210fedcba9876543210";
    /** The person: plain E.164, and as Twilio writes it on WhatsApp. */
    static final String PERSON = "+15557654321";

    static final String PERSON_WA = "whatsapp:" + PERSON;
    /** The channel's WhatsApp sender. */
    static final String OUR_NUMBER = "+15551234567";

    static final String OUR_WA = "whatsapp:" + OUR_NUMBER;
    static final String PUBLIC_URL = "https://bot.example.com/webhooks/twilio-whatsapp";
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private Fixtures() {}

    /** The minimal environment of a WhatsApp channel, with {@code pairs} added, or removed when null. */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("TWILIO_ACCOUNT_SID", ACCOUNT_SID);
        env.put("TWILIO_AUTH_TOKEN", AUTH_TOKEN);
        env.put("TWILIO_WHATSAPP_NUMBER", OUR_WA);
        env.put("WHATSAPP_WEBHOOK_URL", PUBLIC_URL);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                env.remove(pairs[i]);
            } else {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return env;
    }

    /** The fields of an incoming WhatsApp text from {@link #PERSON} to {@link #OUR_NUMBER}. */
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

    /** Name/value pairs as a multi-valued map, in order. */
    static Map<String, List<String>> params(String... pairs) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.computeIfAbsent(pairs[i], k -> new ArrayList<>()).add(pairs[i + 1]);
        }
        return map;
    }

    /** The pairs form-encoded, in order. */
    static byte[] form(String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            body.append(body.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code X-Twilio-Signature} Twilio would send for {@code pairs} posted to {@code url}. */
    static String signature(String token, String url, String... pairs) {
        return TwilioSignature.sign(token, url, params(pairs));
    }

    /** A form POST to {@code path}, signed for {@code signedUrl} with {@code token}. */
    static WebhookRequest signed(String token, String signedUrl, String path, String... pairs) {
        return request(path, signature(token, signedUrl, pairs), form(pairs));
    }

    /** A form POST with the given signature header (none if null). */
    static WebhookRequest request(String path, String signature, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        if (signature != null) {
            headers.put("X-Twilio-Signature", signature);
        }
        return new WebhookRequest("POST", path, "", headers, body);
    }

    /** A host context on {@code clock}. */
    static ChannelContext context(Clock clock) {
        return new ChannelContext() {
            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public Executor executor() {
                return Runnable::run;
            }

            @Override
            public InetSocketAddress listenAddress() {
                return new InetSocketAddress("127.0.0.1", 8080);
            }
        };
    }

    /** A clock that stands still until a test moves it. */
    static final class StepClock extends Clock {

        private volatile Instant now;

        StepClock(Instant start) {
            this.now = start;
        }

        void advance(java.time.Duration by) {
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
