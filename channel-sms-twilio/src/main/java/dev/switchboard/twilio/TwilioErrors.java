package dev.switchboard.twilio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import java.util.HashMap;
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
            return new PermanentChannelException(known.replace("{to}", to.redacted()), providerCode, failure);
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
