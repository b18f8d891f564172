package dev.switchboard.twilio;

import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.WebhookRequest;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Test fixtures of every Twilio channel: an account, numbers, environments, a host context, and
 * signed webhook requests as Twilio would send them. Published in this module's test-jar.
 */
public final class TwilioTestData {

    public static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    public static final String AUTH_TOKEN = "test-auth-token-0123456789";
    public static final TwilioCredentials CREDENTIALS = new TwilioCredentials(ACCOUNT_SID, AUTH_TOKEN);
    public static final String SMS_SID = "SM0123456789abcdef0123456789abcdef";
    public static final String MMS_SID = "MMfedcba9876543210fedcba9876543210";
    public static final String SERVICE_SID = "MG0123456789abcdef0123456789abcdef";
    public static final String CONTENT_SID = "HX0123456789abcdef0123456789abcdef";
    public static final String PERSON = "+15557654321";
    public static final String OUR_NUMBER = "+15551234567";

    private TwilioTestData() {}

    /** Name/value pairs, in order, as a multi-valued map. */
    public static Map<String, List<String>> params(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs must come in twos");
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.computeIfAbsent(pairs[i], k -> new ArrayList<>()).add(pairs[i + 1]);
        }
        return map;
    }

    /** The pairs form-encoded, in order. */
    public static byte[] form(String... pairs) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code X-Twilio-Signature} Twilio would send for {@code pairs} posted to {@code url}. */
    public static String signature(String token, String url, String... pairs) {
        return TwilioSignature.sign(token, url, params(pairs));
    }

    /** A form POST to {@code path} signed for {@code signedUrl} with {@code token}. */
    public static WebhookRequest signed(String token, String signedUrl, String path, String rawQuery, String... pairs) {
        return request(path, rawQuery, signature(token, signedUrl, pairs), form(pairs));
    }

    /** A form POST with the given signature header (none if null). */
    public static WebhookRequest request(String path, String rawQuery, String signature, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        if (signature != null) {
            headers.put("X-Twilio-Signature", signature);
        }
        return new WebhookRequest("POST", path, rawQuery, headers, body);
    }

    /**
     * {@code base} with {@code pairs} of variable names and values added, or removed where the value
     * is null: a channel's minimal environment, varied by a test.
     */
    public static Map<String, String> env(Map<String, String> base, String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("pairs must come in twos");
        }
        Map<String, String> env = new HashMap<>(base);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                env.remove(pairs[i]);
            } else {
                env.put(pairs[i], pairs[i + 1]);
            }
        }
        return env;
    }

    /** A host context on {@code clock}, listening on 127.0.0.1:8080, running tasks on the caller. */
    public static ChannelContext context(Clock clock) {
        return context(clock, new InetSocketAddress("127.0.0.1", 8080));
    }

    /** A host context on {@code clock}, listening on {@code listenAddress}, running tasks on the caller. */
    public static ChannelContext context(Clock clock, InetSocketAddress listenAddress) {
        return context(clock, Optional.of(listenAddress));
    }

    /**
     * A host context on {@code clock} without a listener of its own (the application's HTTP server
     * hands it the requests), running tasks on the caller.
     */
    public static ChannelContext contextWithoutListener(Clock clock) {
        return context(clock, Optional.empty());
    }

    private static ChannelContext context(Clock clock, Optional<InetSocketAddress> listenAddress) {
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
            public Optional<InetSocketAddress> listenAddress() {
                return listenAddress;
            }
        };
    }

    /** The fields of an incoming SMS from {@link #PERSON} to {@link #OUR_NUMBER}. */
    public static String[] inboundSms(String body) {
        return new String[] {
            "ToCountry", "US",
            "SmsMessageSid", SMS_SID,
            "NumMedia", "0",
            "SmsSid", SMS_SID,
            "SmsStatus", "received",
            "Body", body,
            "To", OUR_NUMBER,
            "NumSegments", "1",
            "MessageSid", SMS_SID,
            "AccountSid", ACCOUNT_SID,
            "From", PERSON,
            "ApiVersion", "2010-04-01"
        };
    }
}
