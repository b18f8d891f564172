package dev.switchboard.samples.console;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.admin.AdminHandler;
import dev.switchboard.samples.sandbox.SandboxMedia;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.SandboxRecord;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dev phone of the console: an admin route (under {@value #PREFIX}) over the {@link
 * TwilioSandbox}, through which the browser texts the gateway exactly as the terminal dev phone does
 * (a message stored by the stand-in, a signed webhook posted to the gateway, STOP, START and HELP
 * answered as Twilio answers them) and reads every message the stand-in carries.
 *
 * <ul>
 *   <li>{@code GET /api/devphone}: {@code {"phone": "+1…", "numbers": {"sms": [...], "whatsapp": [...]}}}
 *   <li>{@code GET /api/devphone/messages}: the stand-in's messages, oldest first
 *   <li>{@code POST /api/devphone/messages} with {@code {"channel": "sms"|"whatsapp", "to": "+1…",
 *       "text": "…", "media": [{"contentType": "image/png", "base64": "…"}]}} ({@code to} and {@code
 *       media} optional): {@code {"sid", "webhookStatus", "keywordAnswer"}}; a bad field is a 400
 *       naming it
 *   <li>{@code GET /api/devphone/media/{sid}/{index}}: the bytes of a message's media item
 * </ul>
 *
 * <p>Every change of a message (stored, or its status moved) is {@linkplain #publishTo published} as
 * a {@value #EVENT} event with the message's JSON. Nothing here logs a message's text or a full
 * number.
 */
public final class DevPhoneApi implements AdminHandler {

    /** The path prefix the route is registered under. */
    public static final String PREFIX = "/api/devphone";

    /** The type of the events that carry a message's change. */
    public static final String EVENT = "devphone";

    private static final Logger log = LoggerFactory.getLogger(DevPhoneApi.class);
    private static final String WHATSAPP = "whatsapp:";
    private static final String JSON = "application/json; charset=utf-8";
    private static final Pattern MEDIA = Pattern.compile("/media/((?:SM|MM)[0-9a-f]{32})/([0-9]{1,2})");
    private static final Set<String> FIELDS = Set.of("channel", "to", "text", "media");
    private static final int MAX_TEXT = 1600;

    /** The media types the dev phone sends, as the terminal dev phone does. */
    static final Set<String> MEDIA_TYPES = Set.of(
            "image/png",
            "image/jpeg",
            "image/gif",
            "image/bmp",
            "application/pdf",
            "video/mp4",
            "audio/mpeg",
            "audio/ogg",
            "text/vcard");

    private final ObjectMapper json = new ObjectMapper();
    private final TwilioSandbox sandbox;
    private final String phone;
    private final List<String> smsNumbers;
    private final List<String> whatsAppNumbers;
    private volatile BiConsumer<String, String> events = (type, data) -> {};

    /**
     * Shows {@code sandbox}'s messages and texts through it from {@code phone}.
     *
     * @param sandbox the started stand-in, whose numbers have their webhooks
     * @param phone the dev phone's own number, E.164
     * @param smsNumbers the gateway's SMS numbers in the stand-in, E.164; the first is texted by
     *     default
     * @param whatsAppNumbers the gateway's WhatsApp numbers, E.164 without the {@code whatsapp:} prefix
     */
    public DevPhoneApi(TwilioSandbox sandbox, String phone, List<String> smsNumbers, List<String> whatsAppNumbers) {
        this.sandbox = requireNonNull(sandbox, "sandbox");
        this.phone = requireNonNull(phone, "phone");
        this.smsNumbers = List.copyOf(smsNumbers);
        this.whatsAppNumbers = List.copyOf(whatsAppNumbers);
        sandbox.onRecord(this::changed);
    }

    /**
     * Publishes each message change from now on to {@code publisher} (an event type and a JSON object),
     * such as the runtime's admin events.
     */
    public void publishTo(BiConsumer<String, String> publisher) {
        this.events = requireNonNull(publisher, "publisher");
    }

    private void changed(SandboxRecord record) {
        events.accept(EVENT, write(message(record)));
    }

    /** Answers a request under {@value #PREFIX}; the path may carry the prefix or not. */
    @Override
    public WebhookResponse handle(WebhookRequest request) {
        requireNonNull(request, "request");
        String path = request.path().startsWith(PREFIX) ? request.path().substring(PREFIX.length()) : request.path();
        String method = request.method();
        if (path.isEmpty() || path.equals("/")) {
            return method.equals("GET") ? json(200, overview()) : notAllowed("GET");
        }
        if (path.equals("/messages")) {
            return switch (method) {
                case "GET" ->
                    json(200, sandbox.records().stream().map(this::message).toList());
                case "POST" -> text(request);
                default -> notAllowed("GET, POST");
            };
        }
        Matcher media = MEDIA.matcher(path);
        if (media.matches()) {
            if (!method.equals("GET")) {
                return notAllowed("GET");
            }
            return sandbox.mediaContent(media.group(1), Integer.parseInt(media.group(2)))
                    .map(item -> new WebhookResponse(200, item.contentType(), item.bytes()))
                    .orElseGet(() -> error(404, "no such media: " + path.substring(1), null));
        }
        return error(404, "no such dev phone resource: " + request.path(), null);
    }

    private Map<String, Object> overview() {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("sms", smsNumbers);
        numbers.put("whatsapp", whatsAppNumbers);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phone", phone);
        out.put("numbers", numbers);
        return out;
    }

    private WebhookResponse text(WebhookRequest request) {
        if (!request.mediaType().equals("application/json")) {
            return error(415, "the body must be JSON (Content-Type: application/json)", null);
        }
        JsonNode body;
        try {
            body = json.readTree(request.body());
        } catch (JsonProcessingException e) {
            return error(400, "the body is not JSON: " + e.getOriginalMessage(), null);
        } catch (java.io.IOException e) {
            return error(400, "the body could not be read: " + e.getMessage(), null);
        }
        if (body == null || !body.isObject()) {
            return error(400, "the body must be a JSON object with channel and text", null);
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return error(400, name + " is not a field of a message; use channel, to, text and media", name);
            }
        }
        JsonNode channel = body.get("channel");
        if (channel == null
                || !channel.isTextual()
                || !Set.of("sms", "whatsapp").contains(channel.asText())) {
            return error(400, "channel must be \"sms\" or \"whatsapp\"", "channel");
        }
        boolean whatsApp = channel.asText().equals("whatsapp");
        List<String> numbers = whatsApp ? whatsAppNumbers : smsNumbers;
        if (numbers.isEmpty()) {
            return error(400, "channel " + channel.asText() + " has no number in the sandbox", "channel");
        }
        JsonNode toNode = body.get("to");
        String to;
        if (toNode == null || toNode.isNull()) {
            to = numbers.get(0);
        } else if (!toNode.isTextual() || !numbers.contains(toNode.asText())) {
            return error(400, "to must be one of the gateway's " + channel.asText() + " numbers " + numbers, "to");
        } else {
            to = toNode.asText();
        }
        JsonNode textNode = body.get("text");
        if (textNode != null && !textNode.isNull() && !textNode.isTextual()) {
            return error(400, "text must be a string", "text");
        }
        String text = textNode == null || textNode.isNull() ? "" : textNode.asText();
        if (text.length() > MAX_TEXT) {
            return error(
                    400,
                    "text is " + text.length() + " characters, more than a message carries (" + MAX_TEXT + ")",
                    "text");
        }
        List<MediaContent> media = new ArrayList<>();
        JsonNode mediaNode = body.get("media");
        if (mediaNode != null && !mediaNode.isNull()) {
            Optional<String> problem = media(mediaNode, media);
            if (problem.isPresent()) {
                return error(400, problem.get(), "media");
            }
        }
        if (text.isBlank() && media.isEmpty()) {
            return error(400, "text cannot be empty without media", "text");
        }
        String from = whatsApp ? WHATSAPP + phone : phone;
        String number = whatsApp ? WHATSAPP + to : to;
        TextOutcome outcome;
        try {
            outcome = media.isEmpty() ? sandbox.text(from, number, text) : sandbox.textMedia(from, number, text, media);
        } catch (UncheckedIOException e) {
            log.warn("the dev phone could not reach the gateway's webhook: {}", e.getMessage());
            return error(502, "the gateway's webhook could not be reached: " + e.getMessage(), null);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", outcome.message().sid());
        out.put("webhookStatus", outcome.webhookStatus());
        out.put(
                "keywordAnswer",
                outcome.keywordAnswer().map(SandboxMessage::body).orElse(null));
        return json(200, out);
    }

    /** Reads the media items into {@code into}; what is wrong with them, if anything. */
    private static Optional<String> media(JsonNode items, List<MediaContent> into) {
        if (!items.isArray()) {
            return Optional.of("media must be an array of {contentType, base64}");
        }
        if (items.size() > TwilioSandbox.MAX_MEDIA) {
            return Optional.of("media has " + items.size() + " items, more than a message carries ("
                    + TwilioSandbox.MAX_MEDIA + ")");
        }
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            JsonNode type = item.get("contentType");
            JsonNode data = item.get("base64");
            if (type == null || !type.isTextual() || !MEDIA_TYPES.contains(type.asText())) {
                return Optional.of(
                        "media[" + i + "].contentType must be one of " + new java.util.TreeSet<>(MEDIA_TYPES));
            }
            if (data == null || !data.isTextual()) {
                return Optional.of("media[" + i + "].base64 must be the item's bytes in base64");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(data.asText());
            } catch (IllegalArgumentException e) {
                return Optional.of("media[" + i + "].base64 is not base64: " + e.getMessage());
            }
            if (bytes.length == 0) {
                return Optional.of("media[" + i + "].base64 holds no bytes");
            }
            if (bytes.length > TwilioSandbox.MAX_MEDIA_BYTES) {
                return Optional.of("media[" + i + "] is " + bytes.length + " bytes, over Twilio's 5 MB");
            }
            into.add(new MediaContent(type.asText(), bytes));
        }
        return Optional.empty();
    }

    /** A message as the dev phone shows it. */
    private Map<String, Object> message(SandboxRecord record) {
        SandboxMessage m = record.message();
        boolean whatsApp = m.to().startsWith(WHATSAPP) || m.from().orElse("").startsWith(WHATSAPP);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", m.sid());
        out.put("direction", m.direction().twilioName());
        out.put("channel", whatsApp ? "whatsapp" : "sms");
        out.put("from", m.from().map(DevPhoneApi::number).orElse(null));
        out.put("to", number(m.to()));
        out.put("text", m.body());
        out.put("template", m.contentSid().orElse(null));
        out.put("status", record.status());
        out.put("errorCode", record.errorCode().orElse(null));
        out.put("errorMessage", record.errorMessage().orElse(null));
        List<Map<String, Object>> media = new ArrayList<>();
        for (int i = 0; i < m.media().size(); i++) {
            SandboxMedia item = m.media().get(i);
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("contentType", item.contentType());
            shown.put("size", item.size());
            boolean kept = sandbox.mediaContent(m.sid(), i).isPresent();
            shown.put("url", kept ? PREFIX + "/media/" + m.sid() + "/" + i : null);
            shown.put("failure", item.failure().orElse(null));
            media.add(shown);
        }
        out.put("media", media);
        out.put("at", m.createdAt().toString());
        return out;
    }

    private static String number(String address) {
        return address.startsWith(WHATSAPP) ? address.substring(WHATSAPP.length()) : address;
    }

    private WebhookResponse json(int status, Object value) {
        return new WebhookResponse(status, JSON, write(value).getBytes(StandardCharsets.UTF_8));
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the dev phone's JSON", e);
        }
    }

    private WebhookResponse error(int status, String message, String field) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", message);
        if (field != null) {
            out.put("field", field);
        }
        return json(status, out);
    }

    private WebhookResponse notAllowed(String allowed) {
        return error(405, "method not allowed here; use " + allowed, null);
    }

    @Override
    public String toString() {
        return "DevPhoneApi[" + dev.switchboard.channel.Address.redact(phone) + "]";
    }
}
