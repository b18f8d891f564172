package dev.switchboard.samples;

import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.twilio.TwilioSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds and posts inbound SMS webhooks signed the way Twilio signs them. */
public final class SignedWebhooks {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI local;
    private final String publicUrl;
    private final String accountSid;
    private final String authToken;

    /**
     * @param local where the webhooks are posted
     * @param publicUrl the URL they are signed for, as Twilio signs for the URL it was given
     */
    public SignedWebhooks(URI local, String publicUrl, String accountSid, String authToken) {
        this.local = local;
        this.publicUrl = publicUrl;
        this.accountSid = accountSid;
        this.authToken = authToken;
    }

    /** A new message sid. */
    public static String newSid() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "SM" + HexFormat.of().formatHex(bytes);
    }

    /** The parameters Twilio sends for an inbound SMS. */
    public Map<String, List<String>> sms(String sid, String from, String to, String body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("ToCountry", List.of("US"));
        params.put("SmsMessageSid", List.of(sid));
        params.put("NumMedia", List.of("0"));
        params.put("SmsSid", List.of(sid));
        params.put("SmsStatus", List.of("received"));
        params.put("Body", List.of(body));
        params.put("To", List.of(to));
        params.put("NumSegments", List.of("1"));
        params.put("MessageSid", List.of(sid));
        params.put("AccountSid", List.of(accountSid));
        params.put("From", List.of(from));
        params.put("ApiVersion", List.of("2010-04-01"));
        return params;
    }

    /** Posts the parameters, signed with the account's token for the public URL. */
    public HttpResponse<String> post(Map<String, List<String>> params) throws IOException, InterruptedException {
        return post(params, TwilioSignature.sign(authToken, publicUrl, params));
    }

    /** Posts the parameters with the signature given, or none if it is null. */
    public HttpResponse<String> post(Map<String, List<String>> params, String signature)
            throws IOException, InterruptedException {
        return postRaw(form(params), signature);
    }

    public HttpResponse<String> postRaw(String body, String signature) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(local)
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static String form(Map<String, List<String>> params) {
        return TwilioSandbox.encodeForm(params);
    }
}
