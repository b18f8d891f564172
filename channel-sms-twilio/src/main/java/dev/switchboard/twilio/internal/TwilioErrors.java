package dev.switchboard.twilio.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.PermanentChannelException.Reason;
import dev.switchboard.channel.RetriableChannelException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a failed REST call to the SPI's exceptions. Messages say what went wrong and what to do;
 * they never quote Twilio's own message, which can contain the raw phone number.
 */
final class TwilioErrors {

    /** Where a message names the recipient, {@code {to}} stands for it, redacted. */
    static final Map<Integer, String> DEFAULT_MESSAGES = Map.ofEntries(
            Map.entry(
                    20003,
                    "Twilio rejected the credentials (error 20003): check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN"),
            Map.entry(
                    20404,
                    "Twilio does not know the resource (error 20404): check TWILIO_ACCOUNT_SID, and"
                            + " TWILIO_API_BASE_URL if set"),
            Map.entry(
                    21211,
                    "Twilio error 21211: the recipient {to} is not a valid phone number; fix or drop the number"),
            Map.entry(21604, "Twilio error 21604: the message had no To number; this is a bug in the caller"),
            Map.entry(
                    21606,
                    "Twilio error 21606: the From number is not an SMS-capable number of this account; check"
                            + " TWILIO_PHONE_NUMBER, or send through TWILIO_MESSAGING_SERVICE_SID"),
            Map.entry(
                    21608,
                    "Twilio error 21608: the recipient {to} is not a verified number of this trial account;"
                            + " verify it in the Twilio console or upgrade the account"),
            Map.entry(
                    21610,
                    "Twilio error 21610: the recipient {to} replied STOP and is unsubscribed; do not send to"
                            + " them again until they reply START"),
            Map.entry(
                    21614,
                    "Twilio error 21614: the recipient {to} is not a mobile number and cannot receive"
                            + " messages; drop the number"),
            Map.entry(
                    21617,
                    "Twilio error 21617: the message is longer than 1600 characters; split it before"
                            + " sending (a bug in the caller)"),
            Map.entry(
                    21635,
                    "Twilio error 21635: the recipient {to} is a landline and cannot receive messages; drop"
                            + " the number"));

    /**
     * The codes a delivery report carries when a message Twilio accepted ends {@code undelivered} or
     * {@code failed}; the refusals above may arrive this way too.
     */
    static final Map<Integer, String> DELIVERY_MESSAGES = Map.ofEntries(
            Map.entry(30001, "Twilio error 30001: the sender's queue overflowed; send more slowly"),
            Map.entry(30002, "Twilio error 30002: the account is suspended; check its status in the Twilio console"),
            Map.entry(
                    30003,
                    "Twilio error 30003: the handset of {to} is unreachable (switched off or out of coverage);"
                            + " try again later or reach them another way"),
            Map.entry(30004, "Twilio error 30004: the message to {to} was blocked, by the recipient or their carrier"),
            Map.entry(
                    30005,
                    "Twilio error 30005: the carrier does not know {to}, or it is no longer in service; drop the"
                            + " number"),
            Map.entry(
                    30006,
                    "Twilio error 30006: {to} is a landline or its carrier cannot take messages; drop the number"),
            Map.entry(
                    30007,
                    "Twilio error 30007: the carrier filtered the message to {to}; register the sender (A2P 10DLC,"
                            + " toll-free verification) and review what the agent sends"),
            Map.entry(30008, "Twilio error 30008: the carrier could not deliver to {to} and gave no reason"),
            Map.entry(
                    30034,
                    "Twilio error 30034: US carriers refuse messages from an unregistered A2P 10DLC number;"
                            + " register the brand and campaign of TWILIO_PHONE_NUMBER"),
            Map.entry(
                    30036,
                    "Twilio error 30036: the message to {to} waited in Twilio's queue past its validity period;"
                            + " send more slowly"),
            Map.entry(
                    63016,
                    "Twilio error 63016: WhatsApp's 24-hour window with {to} is closed, so free text was"
                            + " refused; send a template"));

    /** The codes a host must act on beyond reporting them. */
    static final Map<Integer, Reason> REASONS = Map.of(
            20003, Reason.CONFIGURATION,
            20404, Reason.CONFIGURATION,
            21606, Reason.CONFIGURATION,
            30002, Reason.CONFIGURATION,
            30034, Reason.CONFIGURATION,
            63007, Reason.CONFIGURATION,
            21610, Reason.RECIPIENT_OPTED_OUT);

    private final ObjectMapper json;
    private final Map<Integer, String> messages;

    TwilioErrors(ObjectMapper json, Map<Integer, String> overrides) {
        this.json = json;
        Map<Integer, String> all = new HashMap<>(DEFAULT_MESSAGES);
        all.putAll(overrides);
        this.messages = Map.copyOf(all);
    }

    ChannelException map(TwilioHttpFailure failure, Address to) {
        return switch (failure.kind()) {
            case NOT_SENT ->
                new RetriableChannelException(
                        "could not reach Twilio (" + failure.getMessage() + "): the message was not sent; check"
                                + " the network, and TWILIO_API_BASE_URL if set",
                        null,
                        null,
                        false,
                        failure);
            case NO_ANSWER ->
                new RetriableChannelException(
                        "no answer from Twilio (" + failure.getMessage() + "): the message may or may not have"
                                + " been sent; check its status before sending it again",
                        null,
                        null,
                        true,
                        failure);
            case ANSWERED -> answered(failure, to);
        };
    }

    /**
     * The failure a status callback reports, worded like a refusal: Twilio's code, what it means
     * and what to do, and its {@link Reason}.
     */
    PermanentChannelException deliveryFailure(DeliveryReceipt receipt) {
        String status = receipt.status().name().toLowerCase(Locale.ROOT);
        String to = receipt.to().redacted();
        Integer code = receipt.errorCode().map(TwilioErrors::parseCode).orElse(null);
        if (code == null) {
            return new PermanentChannelException(
                    "Twilio reported the message to " + to + " " + status + " without an error code",
                    receipt.errorCode().orElse(null),
                    null);
        }
        String known = messages.getOrDefault(code, DELIVERY_MESSAGES.get(code));
        String message = known != null
                ? known.replace("{to}", to)
                : "Twilio reported the message to " + to + " " + status + " with error " + code
                        + "; look the code up in Twilio's error dictionary";
        return new PermanentChannelException(message, code.toString(), null, reason(code));
    }

    /**
     * Maps a failed look-up of sent messages. Whatever fails here, nothing was sent: only whether an
     * earlier send arrived is still unknown.
     */
    ChannelException mapLookup(TwilioHttpFailure failure, Address to) {
        String unknown = "whether the earlier message to " + to + " was sent is still unknown";
        if (failure.kind() != TwilioHttpFailure.Kind.ANSWERED || failure.status() == 429 || failure.status() >= 500) {
            String what = failure.kind() == TwilioHttpFailure.Kind.ANSWERED
                    ? "Twilio answered HTTP " + failure.status()
                    : failure.getMessage();
            return new RetriableChannelException(
                    "could not look up the messages sent to " + to + " (" + what + "): " + unknown,
                    null,
                    failure.retryAfter().orElse(null),
                    false,
                    failure);
        }
        ChannelException mapped = answered(failure, to);
        return new PermanentChannelException(
                "Twilio refused to list the messages sent to " + to + " (" + mapped.getMessage() + "): " + unknown,
                mapped.providerCode().orElse(null),
                failure,
                mapped instanceof PermanentChannelException permanent ? permanent.reason() : Reason.OTHER);
    }

    private static Reason reason(int code) {
        return REASONS.getOrDefault(code, Reason.OTHER);
    }

    private static Integer parseCode(String code) {
        try {
            return Integer.valueOf(code.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private ChannelException answered(TwilioHttpFailure failure, Address to) {
        int status = failure.status();
        JsonNode body = parse(failure.responseBody());
        Integer code = body.path("code").isInt() ? body.path("code").asInt() : null;
        String providerCode = code == null ? null : code.toString();
        String moreInfo =
                body.path("more_info").isTextual() ? body.path("more_info").asText() : "";
        if (status == 429 || (code != null && code == 20429)) {
            return new RetriableChannelException(
                    "Twilio is rate limiting this account (HTTP 429"
                            + (code == null ? "" : ", error " + code)
                            + "): the message was not sent; send it again after "
                            + failure.retryAfter()
                                    .map(d -> d.toMillis() + " ms")
                                    .orElse("a backoff"),
                    providerCode,
                    failure.retryAfter().orElse(null),
                    false,
                    failure);
        }
        if (status >= 500) {
            return new RetriableChannelException(
                    "Twilio answered HTTP " + status + (code == null ? "" : " (error " + code + ")")
                            + ": the message may or may not have been sent; check its status before sending it"
                            + " again",
                    providerCode,
                    failure.retryAfter().orElse(null),
                    true,
                    failure);
        }
        if (status == 401 && code == null) {
            code = 20003;
            providerCode = "20003";
        }
        String known = code == null ? null : messages.get(code);
        if (known != null) {
            return new PermanentChannelException(
                    known.replace("{to}", to.redacted()), providerCode, failure, reason(code));
        }
        if (status >= 400) {
            return new PermanentChannelException(
                    "Twilio refused the message: "
                            + (code == null ? "no error code" : "error " + code)
                            + " (HTTP " + status + ")"
                            + (moreInfo.isEmpty() ? "" : "; see " + moreInfo),
                    providerCode,
                    failure);
        }
        return new PermanentChannelException(
                "Twilio answered HTTP " + status + ", which is not an answer to a send: check TWILIO_API_BASE_URL",
                providerCode,
                failure);
    }

    private JsonNode parse(String body) {
        if (body.isBlank()) {
            return json.missingNode();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            // A proxy's HTML error page, say: the status alone decides.
            return json.missingNode();
        }
    }
}
