package dev.switchboard.samples.bench;

import dev.switchboard.twilio.TwilioSignature;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Inbound SMS webhooks as Twilio sends them, pre-computed as the bytes of whole HTTP requests: each
 * with its own {@code MessageSid} (so that duplicate detection never answers early), from a pool of
 * senders that the server under test allows, and signed with the bench account's token.
 */
final class Webhooks {

    static final String ACCOUNT_SID = "AC" + "0123456789abcdef".repeat(2);
    static final String AUTH_TOKEN = "f00dfeed".repeat(4);
    static final String GATEWAY_NUMBER = "+15005550006";
    static final String PATH = "/webhooks/twilio";
    /** The public URL Twilio would call, as behind a tunnel: signatures are checked against it. */
    static final String PUBLIC_URL = "https://bench.example.com" + PATH;

    private final byte[][] requests;
    private final String sidPrefix;
    private int next;
    private int wraps;

    private Webhooks(byte[][] requests, String sidPrefix) {
        this.requests = requests;
        this.sidPrefix = sidPrefix;
    }

    /** The sender of the {@code i}-th number of the pool, in E.164: {@code +1555} and seven digits. */
    static String sender(int i) {
        return String.format("+1555%07d", i);
    }

    /**
     * Signs {@code count} webhooks, the {@code i}-th from sender {@code i % senders}, with message
     * ids that start with {@code runId} so that two runs never share one.
     */
    static Webhooks generate(int count, int senders, long runId) {
        byte[][] requests = new byte[count][];
        byte[] prefix = new byte[8];
        for (int b = 0; b < 8; b++) {
            prefix[b] = (byte) (runId >>> (56 - 8 * b));
        }
        String sidPrefix = "SM" + HexFormat.of().formatHex(prefix);
        for (int i = 0; i < count; i++) {
            String sid = sidPrefix + String.format("%016x", i);
            requests[i] = request(sid, sender(i % senders), "Load test message " + i + ", nothing to answer.");
        }
        return new Webhooks(requests, sidPrefix);
    }

    /** The parameters of an inbound SMS, in the order Twilio sends them. */
    static Map<String, List<String>> params(String sid, String from, String body) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("ToCountry", List.of("US"));
        params.put("ToState", List.of("CA"));
        params.put("SmsMessageSid", List.of(sid));
        params.put("NumMedia", List.of("0"));
        params.put("ToCity", List.of("SAN FRANCISCO"));
        params.put("FromZip", List.of("94105"));
        params.put("SmsSid", List.of(sid));
        params.put("FromState", List.of("CA"));
        params.put("SmsStatus", List.of("received"));
        params.put("FromCity", List.of("SAN FRANCISCO"));
        params.put("Body", List.of(body));
        params.put("FromCountry", List.of("US"));
        params.put("To", List.of(GATEWAY_NUMBER));
        params.put("ToZip", List.of("94105"));
        params.put("NumSegments", List.of("1"));
        params.put("MessageSid", List.of(sid));
        params.put("AccountSid", List.of(ACCOUNT_SID));
        params.put("From", List.of(from));
        params.put("ApiVersion", List.of("2010-04-01"));
        return params;
    }

    static byte[] request(String sid, String from, String text) {
        return request(sid, from, text, URI.create(PUBLIC_URL));
    }

    /**
     * The request of an inbound SMS signed for {@code publicUrl}, with its host as {@code Host} and its
     * path as the request's.
     */
    static byte[] request(String sid, String from, String text, URI publicUrl) {
        Map<String, List<String>> params = params(sid, from, text);
        StringBuilder form = new StringBuilder(640);
        params.forEach((name, values) -> {
            for (String value : values) {
                if (form.length() > 0) {
                    form.append('&');
                }
                form.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        byte[] body = form.toString().getBytes(StandardCharsets.UTF_8);
        String head = "POST " + publicUrl.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + publicUrl.getRawAuthority() + "\r\n"
                + "User-Agent: TwilioProxy/1.1\r\n"
                + "Accept: */*\r\n"
                + "Cache-Control: max-age=259200\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "X-Twilio-Signature: " + TwilioSignature.sign(AUTH_TOKEN, publicUrl.toString(), params) + "\r\n"
                + "I-Twilio-Idempotency-Token: " + UUID.nameUUIDFromBytes(sid.getBytes(StandardCharsets.US_ASCII))
                + "\r\n"
                + "X-Home-Region: us1\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    int size() {
        return requests.length;
    }

    /** The next request; after the last, the first again (counted: the server then sees repeats). */
    byte[] next() {
        return requests[nextIndex()];
    }

    /** The index of the next request, as {@link #next()} goes round them. */
    int nextIndex() {
        if (next == requests.length) {
            next = 0;
            wraps++;
        }
        return next++;
    }

    byte[] request(int index) {
        return requests[index];
    }

    /** The index of the webhook whose {@code MessageSid} is {@code sid}, or -1 if it is not one of these. */
    int indexOf(String sid) {
        if (sid.length() != sidPrefix.length() + 16 || !sid.startsWith(sidPrefix)) {
            return -1;
        }
        try {
            long index = Long.parseUnsignedLong(sid.substring(sidPrefix.length()), 16);
            return index < requests.length ? (int) index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** How many requests were handed out. */
    long handedOut() {
        return (long) wraps * requests.length + next;
    }

    /** How many times every request was handed out and the first came round again. */
    int wraps() {
        return wraps;
    }

    /** The mean size of a request, in bytes. */
    int meanBytes() {
        long total = 0;
        for (byte[] request : requests) {
            total += request.length;
        }
        return requests.length == 0 ? 0 : (int) (total / requests.length);
    }
}
