package dev.switchboard.twilio;

import dev.switchboard.channel.WebhookRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixtures: an account, and signed webhook requests as Twilio would send them. */
public final class TwilioTestData {

    public static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    public static final String AUTH_TOKEN = "test-auth-token-0123456789";
    public static final TwilioCredentials CREDENTIALS = new TwilioCredentials(ACCOUNT_SID, AUTH_TOKEN);
    public static final String SMS_SID = "SM0123456789abcdef0123456789abcdef";
    public static final String MMS_SID = "MMfedcba9876543210fedcba9876543210";
    public static final String SERVICE_SID = "MG0123456789abcdef0123456789abcdef";
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

    /** A form POST to {@code path} signed for {@code signedUrl} with {@code token}. */
    public static WebhookRequest signed(String token, String signedUrl, String path, String rawQuery, String... pairs) {
        String signature = TwilioSignature.sign(token, signedUrl, params(pairs));
        return request(path, rawQuery, signature, form(pairs));
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
