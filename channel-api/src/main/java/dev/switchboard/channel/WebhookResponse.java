package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;

/**
 * The answer to a webhook request.
 *
 * @param status the HTTP status code
 * @param contentType the value of the {@code Content-Type} header
 * @param body the body bytes
 */
public record WebhookResponse(int status, String contentType, byte[] body) {

    public WebhookResponse {
        requireNonNull(contentType, "contentType");
        requireNonNull(body, "body");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP status code: " + status);
        }
    }

    /** A {@code text/plain} answer with {@code reason} as its body, for errors a caller can read. */
    public static WebhookResponse text(int status, String reason) {
        return new WebhookResponse(status, "text/plain; charset=utf-8", reason.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "WebhookResponse[" + status + ", " + contentType + ", bodyLength=" + body.length + "]";
    }
}
