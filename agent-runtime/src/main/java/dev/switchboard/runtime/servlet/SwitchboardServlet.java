package dev.switchboard.runtime.servlet;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.WebhookAnswer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link AgentRuntime}'s webhooks from a servlet container, instead of the runtime's
 * built-in webhook server: every request the servlet receives is answered as that server answers it,
 * with the same checks, limits and statuses (404 for a path no channel owns, 405 with {@code Allow},
 * 413 for a body over the limit, 415, the channel's 403 for a bad signature, 429 over the sender's
 * inbound limit, 503 when a durable store cannot commit).
 *
 * <pre>{@code
 * AgentRuntime runtime = AgentRuntime.builder()
 *         .channel(smsChannel)
 *         .agent(agent)
 *         .noWebhookServer()
 *         .build()
 *         .start();
 * ServletRegistration.Dynamic webhooks =
 *         servletContext.addServlet("switchboard", new SwitchboardServlet(runtime));
 * webhooks.addMapping("/webhooks/*");
 * webhooks.setAsyncSupported(true);
 * }</pre>
 *
 * <ul>
 *   <li><b>Paths.</b> The runtime routes by the path inside the servlet context (the request URI
 *       without the context path, not decoded), so map the servlet where the channels' paths are: a
 *       channel at {@code /webhooks/sms} needs a mapping that covers {@code /webhooks/sms}, such as
 *       {@code /webhooks/*} or {@code /*}. A servlet mapped elsewhere answers 404.
 *   <li><b>Signatures.</b> The channels check a signature against the public URL in their own
 *       configuration (Twilio's {@code webhookUrl}), never against the request's {@code Host}
 *       header or the container's idea of its address, so a proxy in front needs no rewriting.
 *   <li><b>Body limit.</b> {@linkplain AgentRuntime#maxBodyBytes() The runtime's} ({@link
 *       AgentRuntimeBuilder#maxBodyBytes(int)}, default 64 KiB) unless given. A body announced
 *       larger is answered 413 without being read; a chunked one, once the limit is passed. Either way
 *       the connection is closed.
 *   <li><b>Asynchronous answers.</b> With a durable store an accepted message is answered once it is
 *       committed. Register the servlet with {@code asyncSupported} ({@code
 *       setAsyncSupported(true)}, {@code @WebServlet(asyncSupported = true)}, or Spring Boot's {@code
 *       ServletRegistrationBean}, asynchronous by default) so that the container's thread is not held
 *       meanwhile; without it the servlet still works, blocking that thread for the commit (a few
 *       milliseconds; seconds while the store is down), and says so once in the log.
 *   <li><b>After the answer.</b> A message is handed on to its conversation only once its answer is
 *       written and flushed; the agent never runs on the container's threads.
 * </ul>
 *
 * <p>Build the runtime {@linkplain AgentRuntimeBuilder#noWebhookServer() without a webhook server}
 * unless it should listen on a port of its own as well. Uses the Servlet 6.0 API only: Tomcat 10.1
 * and 11, Jetty 12 (ee10 and later), Spring Boot 3 and 4. The container must not be given a filter
 * that reads the body first (a form-parameter filter): the signature covers the raw body.
 */
public final class SwitchboardServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final Logger log = LoggerFactory.getLogger(SwitchboardServlet.class);

    /**
     * How long an asynchronous answer may wait before it is given up with a 503: a safety net only,
     * well past the runtime's own bound on a commit (10 seconds).
     */
    static final long ASYNC_TIMEOUT_MILLIS = 30_000;

    private static final WebhookResponse TIMED_OUT =
            WebhookResponse.text(503, "Service Unavailable: the answer took too long; retry later");

    // A servlet is Serializable by inheritance; this one is never serialized, as its runtime cannot be.
    private final transient AgentRuntime runtime;
    private final int maxBodyBytes;
    private final transient AtomicBoolean toldBlocking = new AtomicBoolean();

    /**
     * A servlet for {@code runtime}'s webhooks, with the runtime's {@linkplain
     * AgentRuntime#maxBodyBytes() body limit}.
     */
    public SwitchboardServlet(AgentRuntime runtime) {
        this(runtime, requireNonNull(runtime, "runtime").maxBodyBytes());
    }

    /**
     * A servlet for {@code runtime}'s webhooks, with a body limit of its own.
     *
     * @param maxBodyBytes the largest request body taken; larger ones are answered 413
     * @throws IllegalArgumentException if {@code maxBodyBytes} is not positive
     */
    public SwitchboardServlet(AgentRuntime runtime, int maxBodyBytes) {
        this.runtime = requireNonNull(runtime, "runtime");
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    /** The largest request body this servlet takes, in bytes. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Every method reaches the runtime, which answers 405 with {@code Allow} for a wrong one. */
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = pathInContext(request);
        if (path == null) {
            log.debug("refusing a request whose URI is outside its context");
            write(response, runtime.refused(400), true);
            return;
        }
        long announced = request.getContentLengthLong();
        if (announced > maxBodyBytes) {
            log.debug("refusing {} {}: a body of {} bytes is over the limit", request.getMethod(), path, announced);
            write(response, runtime.refused(413), true);
            return;
        }
        byte[] body;
        try {
            body = readBody(request.getInputStream());
        } catch (IOException e) {
            // The class only: a container's message can quote what it read.
            log.debug(
                    "refusing {} {}: the body could not be read: {}",
                    request.getMethod(),
                    path,
                    e.getClass().getSimpleName());
            if (!response.isCommitted()) {
                write(response, runtime.refused(400), true);
            }
            return;
        }
        if (body == null) {
            log.debug("refusing {} {}: the body is over {} bytes", request.getMethod(), path, maxBodyBytes);
            write(response, runtime.refused(413), true);
            return;
        }
        String query = request.getQueryString();
        WebhookRequest webhook =
                new WebhookRequest(request.getMethod(), path, query == null ? "" : query, headers(request), body);
        CompletableFuture<WebhookAnswer> answer = runtime.answer(webhook).toCompletableFuture();
        if (answer.isDone() || !request.isAsyncSupported()) {
            if (!answer.isDone() && toldBlocking.compareAndSet(false, true)) {
                log.info(
                        "servlet {} is registered without asyncSupported: a webhook waiting for the store's"
                                + " commit holds the container's thread; register it with setAsyncSupported(true)",
                        getServletName());
            }
            write(response, answer.join(), false);
            return;
        }
        answerLater(request, answer);
    }

    /** Releases the container's thread; the answer is written on the thread that completes it. */
    private void answerLater(HttpServletRequest request, CompletableFuture<WebhookAnswer> answer) {
        AsyncContext async = request.startAsync();
        async.setTimeout(ASYNC_TIMEOUT_MILLIS);
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        // Set by whichever comes first: the answer, the timeout, or the connection's failure.
        AtomicBoolean settled = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
                if (settled.compareAndSet(false, true)) {
                    log.warn("a webhook's answer took over {} ms; answered 503", ASYNC_TIMEOUT_MILLIS);
                    try {
                        write(response, TIMED_OUT, Set.of(), false);
                    } finally {
                        async.complete();
                    }
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                if (settled.compareAndSet(false, true)) {
                    log.debug(
                            "a webhook's connection failed before its answer: {}",
                            event.getThrowable() == null
                                    ? "unknown"
                                    : event.getThrowable().getClass().getSimpleName());
                    async.complete();
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {}

            @Override
            public void onStartAsync(AsyncEvent event) {}
        });
        answer.thenAccept(known -> {
            if (!settled.compareAndSet(false, true)) {
                // Given up (a 503) or the client went away: what follows the answer still happens, as
                // the listener's does whether or not its answer reached the client.
                known.written();
                return;
            }
            try {
                write(response, known.response(), known.allow(), false);
            } catch (IOException | RuntimeException e) {
                log.debug(
                        "a webhook's answer could not be written: {}",
                        e.getClass().getSimpleName());
            } finally {
                try {
                    async.complete();
                } finally {
                    known.written();
                }
            }
        });
    }

    private static void write(HttpServletResponse response, WebhookAnswer answer, boolean close) throws IOException {
        try {
            write(response, answer.response(), answer.allow(), close);
        } finally {
            // Whether or not the answer reached the client, the event was accepted: a provider that
            // retries will be caught as a duplicate, so the message must not be lost here.
            answer.written();
        }
    }

    /** Writes and flushes the answer; {@code close} closes the connection after it. */
    private static void write(HttpServletResponse response, WebhookResponse answer, Set<String> allow, boolean close)
            throws IOException {
        response.setStatus(answer.status());
        if (!answer.contentType().isEmpty()) {
            response.setContentType(answer.contentType());
        }
        response.setContentLength(answer.body().length);
        if (!allow.isEmpty()) {
            response.setHeader("Allow", String.join(", ", new TreeSet<>(allow)));
        }
        if (close) {
            // What is left of the body is never read: the connection cannot serve another request.
            response.setHeader("Connection", "close");
        }
        response.getOutputStream().write(answer.body());
        response.flushBuffer();
    }

    /** The request URI without the context path, not decoded; null if it does not start with it. */
    static String pathInContext(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        if (uri == null || context == null || !uri.startsWith(context)) {
            return null;
        }
        String path = uri.substring(context.length());
        return path.isEmpty() ? "/" : path;
    }

    /** The whole body, or null once it is over the limit (after reading one byte more than it). */
    private byte[] readBody(ServletInputStream in) throws IOException {
        byte[] body = in.readNBytes(maxBodyBytes == Integer.MAX_VALUE ? maxBodyBytes : maxBodyBytes + 1);
        return body.length > maxBodyBytes ? null : body;
    }

    /** Every header, the first value of a repeated one. */
    private static Map<String, String> headers(HttpServletRequest request) {
        Map<String, String> headers = new HashMap<>(32);
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            String value = request.getHeader(name);
            if (value != null) {
                headers.putIfAbsent(name, value);
            }
        }
        return headers;
    }
}
