package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.channel.MediaContent;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.twilio.TwilioCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an inbound message's media from Twilio, on the caller's thread.
 *
 * <p>Only Twilio's media URL of the message, for the channel's account ({@link TwilioMediaOrigin}),
 * is ever requested; anything else is refused before any network access. The account's basic auth
 * (the account SID and auth token the REST calls use) goes only to that origin. Redirects are
 * followed by hand, at most {@value #MAX_REDIRECTS}:
 *
 * <ul>
 *   <li>to the same origin, with the credentials;
 *   <li>to another origin only when the API origin itself answered with it and it is {@code
 *       https}: Twilio answers a media URL with a redirect to a short-lived, pre-signed URL on its
 *       media store, which is fetched without credentials (the signature in the URL is the
 *       authority). A redirect from there, or to plain http elsewhere, is refused.
 * </ul>
 *
 * <p>The body is read up to the limit and no further (a {@code Content-Length} over it is refused
 * before reading); the whole read, retries and waits included, has one deadline. A 404 (Twilio's
 * media may not be stored yet when the webhook arrives), a 429 or a 5xx is tried again after a
 * backoff that doubles.
 *
 * <p>It uses a JDK {@link HttpClient} of its own rather than the SDK's transport: that one is made
 * for JSON answers read whole as text and turns every answer that is not 2xx into a failure, while
 * media needs bytes streamed against a limit and redirects handled one by one. Thread-safe.
 */
final class TwilioMediaReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwilioMediaReader.class);

    static final int MAX_REDIRECTS = 3;

    private final String channelId;
    private final TwilioMediaOrigin origin;
    private final String authorization;
    private final long maxBytes;
    private final String maxBytesOption;
    private final Duration timeout;
    private final int retries;
    private final Duration backoff;
    private final Clock clock;
    private final HttpClient client;

    TwilioMediaReader(
            String channelId,
            TwilioMediaOrigin origin,
            TwilioCredentials credentials,
            long maxBytes,
            String maxBytesOption,
            Duration timeout,
            int retries,
            Duration backoff,
            Duration connectTimeout,
            Clock clock) {
        this.channelId = requireNonNull(channelId, "channelId");
        this.origin = requireNonNull(origin, "origin");
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString((credentials.accountSid() + ":" + credentials.authToken())
                                .getBytes(StandardCharsets.UTF_8));
        this.maxBytes = maxBytes;
        this.maxBytesOption = requireNonNull(maxBytesOption, "maxBytesOption");
        this.timeout = requireNonNull(timeout, "timeout");
        this.retries = retries;
        this.backoff = requireNonNull(backoff, "backoff");
        this.clock = requireNonNull(clock, "clock");
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Reads {@code attachment} of {@code message}.
     *
     * @throws PermanentChannelException if it is not one of the message's attachments, not
     *     available, not Twilio's media URL of the message (checked again, whatever the attachment
     *     says), larger than the limit, refused (401, 403, another 4xx), still not found after the
     *     retries, or redirected where it must not go
     * @throws RetriableChannelException if Twilio did not answer in time or kept answering 429 or 5xx
     */
    MediaContent read(InboundMessage message, Attachment attachment) {
        requireNonNull(message, "message");
        requireNonNull(attachment, "attachment");
        if (!message.attachments().contains(attachment)) {
            throw new PermanentChannelException(
                    "the attachment is not one of message " + message.id() + "'s: read only the attachments a"
                            + " message came with",
                    null,
                    null);
        }
        if (!attachment.available() || !origin.isMediaOf(attachment.url(), message.id())) {
            throw new PermanentChannelException(
                    "attachment " + describe(attachment) + " of message " + message.id() + " is unavailable: its URL"
                            + " is not Twilio's media URL for this account and message (" + origin
                            + "/2010-04-01/Accounts/…/Messages/" + message.id() + "/Media/ME…), so it is never"
                            + " fetched",
                    null,
                    null);
        }
        Instant deadline = clock.instant().plus(timeout);
        Duration wait = backoff;
        int attempt = 0;
        while (true) {
            Outcome outcome = fetch(attachment.url(), message, deadline);
            if (outcome.content != null) {
                log.debug(
                        "[{}] read attachment {} of {} ({} bytes)",
                        channelId,
                        outcome.content.contentType(),
                        message.id(),
                        outcome.content.size());
                return outcome.content;
            }
            int status = outcome.status;
            boolean again = status == 404 || status == 429 || status >= 500;
            if (!again) {
                throw refused(status, message, attachment);
            }
            if (attempt >= retries) {
                String what = "Twilio answered " + status + " for attachment " + describe(attachment) + " of message "
                        + message.id() + " " + (attempt + 1) + " time(s)";
                if (status == 404) {
                    throw new PermanentChannelException(
                            what + ": the media was deleted or never stored", "20404", null);
                }
                throw new RetriableChannelException(what + ": try reading it again later", null, null, false, null);
            }
            attempt++;
            if (clock.instant().plus(wait).isAfter(deadline)) {
                throw timedOut(message, attachment, null);
            }
            log.debug("[{}] attachment of {} answered {}: trying again in {}", channelId, message.id(), status, wait);
            pause(wait, message, attachment);
            wait = wait.multipliedBy(2);
        }
    }

    /** One fetch with its redirects: the content, or the status of the answer that was not 200. */
    private Outcome fetch(URI url, InboundMessage message, Instant deadline) {
        URI target = url;
        boolean fromApi = true;
        for (int hop = 0; ; hop++) {
            boolean withCredentials = origin.sameOrigin(target);
            HttpResponse<Object> response = exchange(target, withCredentials, message, deadline);
            int status = response.statusCode();
            if (status == 200) {
                String type = response.headers()
                        .firstValue("Content-Type")
                        .map(TwilioMediaReader::mediaType)
                        .filter(t -> !t.isEmpty())
                        .orElse(null);
                byte[] bytes = (byte[]) response.body();
                return new Outcome(new MediaContent(type != null ? type : contentTypeOf(message, url), bytes), status);
            }
            if (status < 300 || status > 399 || status == 304) {
                return new Outcome(null, status);
            }
            Optional<String> location = response.headers().firstValue("Location");
            if (location.isEmpty()) {
                throw new PermanentChannelException(
                        "Twilio answered " + status + " without a Location for an attachment of message "
                                + message.id(),
                        null,
                        null);
            }
            if (hop >= MAX_REDIRECTS) {
                throw new PermanentChannelException(
                        "an attachment of message " + message.id() + " was redirected more than " + MAX_REDIRECTS
                                + " times: it is not read",
                        null,
                        null);
            }
            URI next;
            try {
                next = target.resolve(location.get().strip());
            } catch (IllegalArgumentException e) {
                throw new PermanentChannelException(
                        "an attachment of message " + message.id() + " was redirected to an invalid URL", null, e);
            }
            boolean sameOrigin = origin.sameOrigin(next);
            boolean allowed =
                    sameOrigin || (fromApi && "https".equalsIgnoreCase(next.getScheme()) && next.getHost() != null);
            if (!allowed) {
                throw new PermanentChannelException(
                        "an attachment of message " + message.id() + " was redirected to "
                                + (next.getScheme() == null
                                        ? "a relative URL"
                                        : next.getScheme() + "://" + next.getHost())
                                + ", which is neither Twilio's API origin (" + origin + ") nor an https URL Twilio's"
                                + " API gave: it is not read",
                        null,
                        null);
            }
            fromApi = sameOrigin;
            target = next;
        }
    }

    private HttpResponse<Object> exchange(
            URI target, boolean withCredentials, InboundMessage message, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw timedOut(message, null, null);
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(target).timeout(left).GET();
        if (withCredentials) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<HttpResponse<Object>> future = client.sendAsync(request.build(), this::body);
        try {
            return future.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timedOut(message, null, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new RetriableChannelException(
                    "interrupted while reading an attachment of message " + message.id(), null, null, false, e);
        } catch (CancellationException e) {
            throw timedOut(message, null, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TooLarge) {
                throw tooLarge(message);
            }
            if (cause instanceof java.net.http.HttpTimeoutException) {
                throw timedOut(message, null, cause);
            }
            throw new RetriableChannelException(
                    "an attachment of message " + message.id() + " could not be read from " + target.getScheme() + "://"
                            + target.getRawAuthority() + ": " + cause,
                    null,
                    null,
                    false,
                    cause);
        }
    }

    /** The body of a 200 read up to the limit; of anything else, nothing. */
    private HttpResponse.BodySubscriber<Object> body(HttpResponse.ResponseInfo info) {
        if (info.statusCode() != 200) {
            return HttpResponse.BodySubscribers.replacing(null);
        }
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new LimitedBody(maxBytes, declared > maxBytes);
    }

    private PermanentChannelException tooLarge(InboundMessage message) {
        return new PermanentChannelException(
                "an attachment of message " + message.id() + " is larger than the limit of " + maxBytes + " bytes: it"
                        + " was not read past it; raise " + maxBytesOption + " to read larger media",
                null,
                null);
    }

    private RetriableChannelException timedOut(InboundMessage message, Attachment attachment, Throwable cause) {
        return new RetriableChannelException(
                "an attachment of message " + message.id()
                        + (attachment == null ? "" : " (" + describe(attachment) + ")") + " could not be read within "
                        + timeout.toMillis() + " ms (mediaTimeout): try again later",
                null,
                null,
                false,
                cause);
    }

    private PermanentChannelException refused(int status, InboundMessage message, Attachment attachment) {
        String what =
                "Twilio answered " + status + " for attachment " + describe(attachment) + " of message " + message.id();
        if (status == 401 || status == 403) {
            return new PermanentChannelException(
                    what + ": the account's credentials were refused; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                    "20003",
                    null,
                    PermanentChannelException.Reason.CONFIGURATION);
        }
        return new PermanentChannelException(what + ": it cannot be read", null, null);
    }

    private void pause(Duration wait, InboundMessage message, Attachment attachment) {
        if (wait.isZero()) {
            return;
        }
        try {
            // A real wait between tries: Twilio stores media moments after the webhook leaves.
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableChannelException(
                    "interrupted while waiting to read attachment " + describe(attachment) + " of message "
                            + message.id() + " again",
                    null,
                    null,
                    false,
                    e);
        }
    }

    private static String contentTypeOf(InboundMessage message, URI url) {
        return message.attachments().stream()
                .filter(a -> a.url().equals(url))
                .map(Attachment::contentType)
                .findFirst()
                .orElse("application/octet-stream");
    }

    /** The MIME type of a {@code Content-Type} value, without parameters, lower case. */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    // The type and the media sid: neither is secret, and the URL's account is the channel's own.
    private static String describe(Attachment attachment) {
        String path =
                attachment.url().getRawPath() == null ? "" : attachment.url().getRawPath();
        int slash = path.lastIndexOf('/');
        String last = slash < 0 ? path : path.substring(slash + 1);
        boolean mediaSid = last.length() == 34 && last.startsWith("ME");
        return attachment.contentType()
                + (mediaSid
                        ? " " + last
                        : " at " + attachment.url().getScheme() + "://"
                                + attachment.url().getHost());
    }

    @Override
    public void close() {
        // HttpClient has close() from Java 21 on; on 17 dropping the last reference releases it.
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // nothing is left to release
            }
        }
    }

    private record Outcome(MediaContent content, int status) {}

    /** The body exceeded the limit. */
    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("over the limit");
        }
    }

    /** Collects at most {@code limit} bytes; past it, cancels the subscription and fails. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<Object> {

        private final long limit;
        private final boolean refuseAtOnce;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<Object> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(long limit, boolean refuseAtOnce) {
            this.limit = limit;
            this.refuseAtOnce = refuseAtOnce;
        }

        @Override
        public CompletionStage<Object> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (refuseAtOnce) {
                subscription.cancel();
                result.completeExceptionally(new TooLarge());
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (out.size() + (long) buffer.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
