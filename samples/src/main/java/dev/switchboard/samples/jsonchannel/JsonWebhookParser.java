package dev.switchboard.samples.jsonchannel;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.channel.WebhookResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Reads the provider's two webhooks, after checking their signature: incoming messages and delivery
 * reports. Never throws for a bad request: a bad signature is a 403, a body that cannot be read a
 * 400, each with a reason that shows neither the text nor an address. Thread-safe, never blocks.
 */
final class JsonWebhookParser {

    /** The most characters an id may have; a provider's ids are short, and the host keeps many. */
    static final int MAX_ID_LENGTH = 256;

    private static final WebhookResponse RECEIVED =
            new WebhookResponse(200, "application/json", "{\"status\":\"received\"}".getBytes(StandardCharsets.UTF_8));

    private final String channelId;
    private final JsonSignature signature;
    private final ObjectMapper json;
    private final Supplier<Clock> clock;
    private final Logger log;

    JsonWebhookParser(String channelId, JsonSignature signature, ObjectMapper json, Supplier<Clock> clock, Logger log) {
        this.channelId = channelId;
        this.signature = signature;
        this.json = json;
        this.clock = clock;
        this.log = log;
    }

    /** {@code {"id","from","to","text"}}: an {@link WebhookResult.Inbound}, or a refusal. */
    WebhookResult inbound(WebhookRequest request) {
        Optional<WebhookResult> refused = verify(request);
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            JsonNode body = object(request);
            InboundMessage message = new InboundMessage(
                    id(body),
                    channelId,
                    address(body, "from"),
                    address(body, "to"),
                    text(body, "text"),
                    List.of(),
                    clock.get().instant(),
                    Map.of());
            if (log.isDebugEnabled()) {
                log.debug("[{}] inbound {} from {} to {}", channelId, message.id(), message.from(), message.to());
            }
            return new WebhookResult.Inbound(message, RECEIVED);
        } catch (MalformedBody e) {
            return malformed(request, e);
        }
    }

    /**
     * {@code {"id","to","status","error_code"}}: a {@link WebhookResult.Receipt}, an {@link
     * WebhookResult.Ignored} for a status this channel does not know, or a refusal.
     */
    WebhookResult delivery(WebhookRequest request) {
        Optional<WebhookResult> refused = verify(request);
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            JsonNode body = object(request);
            String id = id(body);
            Address to = address(body, "to");
            String word = text(body, "status");
            Optional<DeliveryStatus> status = deliveryStatus(word);
            if (status.isEmpty()) {
                // Authentic, so the provider speaks a word this channel was not taught: say so, once per report.
                log.warn(
                        "[{}] ignored a delivery report for {} with the unknown status '{}'",
                        channelId,
                        id,
                        printable(word));
                return new WebhookResult.Ignored(RECEIVED);
            }
            DeliveryReceipt receipt = new DeliveryReceipt(
                    id,
                    channelId,
                    to,
                    status.get(),
                    errorCode(body),
                    clock.get().instant());
            if (log.isDebugEnabled()) {
                log.debug(
                        "[{}] delivery report {} for {} to {}{}",
                        channelId,
                        receipt.status(),
                        receipt.messageId(),
                        receipt.to(),
                        receipt.errorCode().map(code -> ", error " + code).orElse(""));
            }
            return new WebhookResult.Receipt(receipt, RECEIVED);
        } catch (MalformedBody e) {
            return malformed(request, e);
        }
    }

    /**
     * The status a word of the provider's names: {@code queued}, {@code sending}, {@code sent},
     * {@code delivered}, {@code undelivered}, {@code failed}, {@code read}, {@code canceled}.
     */
    static Optional<DeliveryStatus> deliveryStatus(String word) {
        return switch (word) {
            case "queued" -> Optional.of(DeliveryStatus.QUEUED);
            case "sending" -> Optional.of(DeliveryStatus.SENDING);
            case "sent" -> Optional.of(DeliveryStatus.SENT);
            case "delivered" -> Optional.of(DeliveryStatus.DELIVERED);
            case "undelivered" -> Optional.of(DeliveryStatus.UNDELIVERED);
            case "failed" -> Optional.of(DeliveryStatus.FAILED);
            case "read" -> Optional.of(DeliveryStatus.READ);
            case "canceled" -> Optional.of(DeliveryStatus.CANCELED);
            default -> Optional.empty();
        };
    }

    /** The provider's word for {@code status}, the inverse of {@link #deliveryStatus(String)}. */
    static String word(DeliveryStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    private Optional<WebhookResult> verify(WebhookRequest request) {
        Optional<String> problem = signature.check(request.header(JsonSignature.HEADER), request.body());
        if (problem.isEmpty()) {
            return Optional.empty();
        }
        // Nothing of an unauthenticated body is trusted, not even for the log.
        log.warn(
                "[{}] refused a webhook on {}: {} (does the provider sign with this channel's shared secret?)",
                channelId,
                request.path(),
                problem.get());
        return Optional.of(WebhookResult.Rejected.of(403, problem.get()));
    }

    private WebhookResult malformed(WebhookRequest request, MalformedBody e) {
        // Signed, so the provider sent it: a change on its side, worth a warning.
        log.warn("[{}] refused a signed webhook on {}: {}", channelId, request.path(), e.getMessage());
        return WebhookResult.Rejected.of(400, e.getMessage());
    }

    private JsonNode object(WebhookRequest request) throws MalformedBody {
        JsonNode body;
        try {
            body = json.readTree(request.body());
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the body, and with it the text: only the place is shown.
            JsonLocation at = e.getLocation();
            throw new MalformedBody("malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (IOException e) {
            throw new MalformedBody("the body could not be read as JSON");
        }
        if (body == null || !body.isObject()) {
            throw new MalformedBody("the body must be a JSON object");
        }
        return body;
    }

    private static String id(JsonNode body) throws MalformedBody {
        String id = text(body, "id");
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new MalformedBody(
                    "field \"id\" must be a non-blank string of at most " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    private static Address address(JsonNode body, String field) throws MalformedBody {
        String value = text(body, field);
        if (value.isBlank()) {
            throw new MalformedBody("field \"" + field + "\" must be a non-blank string");
        }
        return Address.of(value);
    }

    private static String text(JsonNode body, String field) throws MalformedBody {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            throw new MalformedBody("field \"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    private static Optional<String> errorCode(JsonNode body) throws MalformedBody {
        JsonNode node = body.get("error_code");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if ((node.isTextual() && !node.textValue().isBlank()) || node.isIntegralNumber()) {
            return Optional.of(node.asText().strip());
        }
        throw new MalformedBody("field \"error_code\" must be a non-blank string or an integer");
    }

    // A word from the provider, cut short and kept to printable ASCII, for a log line.
    private static String printable(String word) {
        String shown = word.length() > 32 ? word.substring(0, 32) + "…" : word;
        return shown.replaceAll("[^\\x20-\\x7E…]", "?");
    }

    /** A signed body this channel cannot read; its message says why and never quotes the body. */
    private static final class MalformedBody extends Exception {

        private static final long serialVersionUID = 1L;

        MalformedBody(String message) {
            super(message, null, false, false);
        }
    }
}
