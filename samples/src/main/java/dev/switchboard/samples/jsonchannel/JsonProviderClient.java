package dev.switchboard.samples.jsonchannel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;

/**
 * Posts one signed JSON message to the provider per {@link #send}, and maps its answer: one HTTP
 * request, never retried here, because a send is not idempotent and the host decides. Thread-safe.
 */
final class JsonProviderClient implements AutoCloseable {

    /** The error code that marks a recipient who opted out of this sender's messages. */
    static final String OPTED_OUT_CODE = "recipient_opted_out";

    private final String channelId;
    private final URI providerUrl;
    private final String providerForLogs;
    private final Address self;
    private final JsonSignature signature;
    private final ObjectMapper json;
    private final Duration readTimeout;
    private final HttpClient http;
    private final Logger log;

    JsonProviderClient(
            String channelId,
            URI providerUrl,
            String providerForLogs,
            Address self,
            JsonSignature signature,
            ObjectMapper json,
            Duration connectTimeout,
            Duration readTimeout,
            Logger log) {
        this.channelId = channelId;
        this.providerUrl = providerUrl;
        this.providerForLogs = providerForLogs;
        this.self = self;
        this.signature = signature;
        this.json = json;
        this.readTimeout = readTimeout;
        this.log = log;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                // A redirect would post the message a second time, somewhere else.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Posts {@code {"from","to","text"}} and reads {@code {"id","status"}} from a 2xx answer.
     *
     * @throws RetriableChannelException on HTTP 429 or a failed connection (nothing sent), a 5xx or
     *     no answer in time (maybe sent), or a 2xx without an id (maybe sent)
     * @throws PermanentChannelException on any other answer
     */
    SendReceipt send(Address to, String text) {
        ObjectNode message = json.createObjectNode()
                .put("from", self.value())
                .put("to", to.value())
                .put("text", text);
        byte[] body;
        try {
            body = json.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a message could not be written as JSON", e);
        }
        HttpRequest request = HttpRequest.newBuilder(providerUrl)
                .timeout(readTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header(JsonSignature.HEADER, signature.sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response = exchange(request, to);
        int status = response.statusCode();
        if (status >= 200 && status <= 299) {
            SendReceipt receipt = accepted(response.body(), to);
            log.debug("[{}] sent {} to {} ({})", channelId, receipt.messageId(), to, receipt.status());
            return receipt;
        }
        ChannelException failure = refused(response, to);
        log.debug(
                "[{}] send to {} failed: HTTP {}{}",
                channelId,
                to,
                status,
                failure.providerCode().map(code -> ", code " + code).orElse(""));
        throw failure;
    }

    @Override
    public void close() {
        // HttpClient has close() from Java 21 on; on 17 dropping the last reference releases it.
        if (http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // nothing is left to release
            }
        }
    }

    private HttpResponse<byte[]> exchange(HttpRequest request, Address to) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw notSent("no connection to " + providerForLogs + " within the connect timeout", to, e);
        } catch (HttpTimeoutException e) {
            throw maybeSent("no answer within " + readTimeout.toMillis() + " ms", to, e);
        } catch (ConnectException | SSLHandshakeException e) {
            throw notSent("could not connect to " + providerForLogs, to, e);
        } catch (IOException e) {
            throw maybeSent("the connection failed before an answer", to, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw maybeSent("interrupted while waiting for the provider", to, e);
        }
    }

    private SendReceipt accepted(byte[] body, Address to) {
        JsonNode answer = parse(body);
        JsonNode id = answer.path("id");
        if (!id.isTextual() || id.textValue().isBlank() || id.textValue().length() > JsonWebhookParser.MAX_ID_LENGTH) {
            throw new RetriableChannelException(
                    "the provider accepted the message to " + to + " but answered without a valid \"id\": the"
                            + " message may have been sent; check before sending it again",
                    null,
                    null,
                    true,
                    null);
        }
        DeliveryStatus status = answer.path("status").isTextual()
                ? JsonWebhookParser.deliveryStatus(answer.path("status").textValue())
                        .orElse(DeliveryStatus.QUEUED)
                : DeliveryStatus.QUEUED;
        return new SendReceipt(id.textValue(), status);
    }

    private ChannelException refused(HttpResponse<byte[]> response, Address to) {
        int status = response.statusCode();
        String code = code(parse(response.body()));
        String shownCode = code == null ? "" : ", code " + code;
        if (status == 429) {
            Duration retryAfter = retryAfter(response);
            return new RetriableChannelException(
                    "the provider is rate limiting this channel (HTTP 429" + shownCode + "): the message to " + to
                            + " was not sent; send it again after "
                            + (retryAfter == null ? "a backoff" : retryAfter.toMillis() + " ms"),
                    code,
                    retryAfter,
                    false,
                    null);
        }
        if (status >= 500) {
            return new RetriableChannelException(
                    "the provider failed (HTTP " + status + shownCode + "): the message to " + to
                            + " may or may not have been sent; check before sending it again",
                    code,
                    retryAfter(response),
                    true,
                    null);
        }
        if (status == 401 || status == 403) {
            return new PermanentChannelException(
                    "the provider refused this channel's signature or credentials (HTTP " + status + shownCode
                            + "): check that sharedSecret is the one the provider has",
                    code,
                    null,
                    PermanentChannelException.Reason.CONFIGURATION);
        }
        if (status >= 400) {
            boolean optedOut = OPTED_OUT_CODE.equals(code);
            return new PermanentChannelException(
                    "the provider refused the message to " + to + " (HTTP " + status + shownCode + ")"
                            + (optedOut ? ": the recipient opted out; send them nothing more until they opt in" : ""),
                    code,
                    null,
                    optedOut
                            ? PermanentChannelException.Reason.RECIPIENT_OPTED_OUT
                            : PermanentChannelException.Reason.OTHER);
        }
        return new PermanentChannelException(
                "the provider answered HTTP " + status + ", which is not an answer to a send: check providerUrl ("
                        + providerForLogs + ")",
                code,
                null,
                PermanentChannelException.Reason.CONFIGURATION);
    }

    private RetriableChannelException notSent(String what, Address to, Throwable cause) {
        return new RetriableChannelException(
                what + ": the message to " + to + " was not sent; send it again after a backoff",
                null,
                null,
                false,
                cause);
    }

    private RetriableChannelException maybeSent(String what, Address to, Throwable cause) {
        return new RetriableChannelException(
                what + ": the message to " + to + " may have been sent; check before sending it again",
                null,
                null,
                true,
                cause);
    }

    // The code of an error answer {"code": "...", "message": "..."}; its message is not used, as it
    // may quote the recipient.
    private static String code(JsonNode answer) {
        JsonNode code = answer.path("code");
        if ((code.isTextual() && !code.textValue().isBlank()) || code.isIntegralNumber()) {
            String text = code.asText().strip();
            return text.length() > 64 ? text.substring(0, 64) : text;
        }
        return null;
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return json.missingNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            // A proxy's HTML error page, say: the status alone decides.
            return json.missingNode();
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(String::strip)
                .filter(v -> !v.isEmpty() && v.length() <= 9 && v.chars().allMatch(c -> c >= '0' && c <= '9'))
                .map(v -> Duration.ofSeconds(Long.parseLong(v)))
                .orElse(null);
    }

    @Override
    public String toString() {
        return "JsonProviderClient[" + providerForLogs + "]";
    }
}
