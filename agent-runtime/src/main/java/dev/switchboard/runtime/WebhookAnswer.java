package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.WebhookResponse;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's answer to one webhook request, for a host that writes it with an HTTP server of its
 * own ({@link AgentRuntime#answer}): the response, the methods to list in an {@code Allow} header,
 * and what the runtime does once the answer is written.
 *
 * <p>The host writes the {@linkplain #response() response} (status, {@code Content-Type} unless
 * empty, {@code Content-Length} and body), adds {@code Allow: }{@link #allowHeader()} when {@link
 * #allow()} is not empty (a 405), flushes it, and then calls {@link #written()}, whether or not the
 * client received it: that is when an accepted message is handed on to its conversation. A host that
 * never calls it loses the message. Thread-safe.
 */
public final class WebhookAnswer {

    private static final Logger log = LoggerFactory.getLogger(WebhookAnswer.class);

    private final WebhookResponse response;
    private final Set<String> allow;
    private final Runnable afterWritten;
    private final AtomicBoolean handedOn = new AtomicBoolean();

    WebhookAnswer(WebhookResponse response, Set<String> allow, Runnable afterWritten) {
        this.response = requireNonNull(response, "response");
        this.allow = Set.copyOf(allow);
        this.afterWritten = requireNonNull(afterWritten, "afterWritten");
    }

    /** The response to write: status, content type (empty for none) and body. */
    public WebhookResponse response() {
        return response;
    }

    /** The response's HTTP status. */
    public int status() {
        return response.status();
    }

    /**
     * The methods the request's path takes, when the answer is a 405 for another method; otherwise
     * empty.
     */
    public Set<String> allow() {
        return allow;
    }

    /** The {@code Allow} header's value: {@link #allow()} sorted and comma-separated; empty if none. */
    public String allowHeader() {
        return String.join(", ", new TreeSet<>(allow));
    }

    /**
     * Tells the runtime the answer was written (or failed to be): hands an accepted message on to its
     * conversation, reports a duplicate or a rejection to the {@link RuntimeListener}. Fast, and never
     * runs the agent on the calling thread. Only the first call does anything; a failure is logged,
     * never thrown.
     */
    public void written() {
        if (!handedOn.compareAndSet(false, true)) {
            return;
        }
        try {
            afterWritten.run();
        } catch (RuntimeException e) {
            log.warn("handing on an accepted webhook failed: {}", e.getClass().getName(), e);
        }
    }

    @Override
    public String toString() {
        return "WebhookAnswer[" + response + (allow.isEmpty() ? "" : ", allow=" + allowHeader()) + "]";
    }
}
