package dev.switchboard.twilio.internal;

import com.twilio.constant.EnumConstants;
import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The Twilio SDK's HTTP seam, on the JDK's HTTP client: exactly one HTTP request per call (the
 * SDK's retries of 5xx and the Apache client's retries of 429/503 would send a message again), an
 * optional base URL that replaces scheme, host and port of every request, and a failure for every
 * answer that is not 2xx, so that the caller sees the status, the body and {@code Retry-After}.
 *
 * <p>{@link #forChecks} makes one for reads and settings instead of sends: every answer goes back to
 * the SDK (which turns one that is not 2xx into an {@code ApiException} with Twilio's code), and a
 * request with no answer fails with the SDK's {@code ApiConnectionException}.
 */
public final class TwilioHttpTransport extends com.twilio.http.HttpClient implements AutoCloseable {

    private static final String USER_AGENT = "switchboard-twilio (twilio-java/13)";

    // The JDK client sets these itself and refuses them as request headers.
    private static final Set<String> RESTRICTED_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "authorization");

    private final HttpClient client;
    private final URI baseUrl;
    private final Duration readTimeout;
    private final Clock clock;
    private final boolean answersToSdk;

    /** @param baseUrl the replacement for scheme, host and port (and a path prefix), or null */
    TwilioHttpTransport(URI baseUrl, Duration connectTimeout, Duration readTimeout, Clock clock) {
        this(baseUrl, connectTimeout, readTimeout, clock, false);
    }

    private TwilioHttpTransport(
            URI baseUrl, Duration connectTimeout, Duration readTimeout, Clock clock, boolean answersToSdk) {
        this.answersToSdk = answersToSdk;
        this.baseUrl = baseUrl;
        this.readTimeout = readTimeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Response reliableRequest(Request request) {
        return makeRequest(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return makeRequest(request);
    }

    @Override
    protected boolean shouldRetry(Response response, int[] retryCodes) {
        return false;
    }

    @Override
    public Response makeRequest(Request request) {
        URI target = target(request);
        HttpRequest.Builder http = HttpRequest.newBuilder(target)
                .timeout(readTimeout)
                .header("User-Agent", USER_AGENT)
                .header("X-Twilio-Client", "java-13")
                .header("Accept", "application/json");
        if (request.requiresAuthentication()) {
            http.header("Authorization", request.getAuthString());
        }
        request.getHeaderParams().forEach((name, values) -> {
            if (!RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> http.header(name, value));
            }
        });
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.POST || method == HttpMethod.PUT) {
            if (request.getContentType() == EnumConstants.ContentType.JSON) {
                http.header("Content-Type", "application/json");
                http.method(method.toString(), HttpRequest.BodyPublishers.ofString(request.getBody()));
            } else {
                http.header("Content-Type", "application/x-www-form-urlencoded");
                http.method(method.toString(), HttpRequest.BodyPublishers.ofString(request.encodeFormBody()));
            }
        } else {
            http.method(method.toString(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = send(http.build(), target);
        int status = response.statusCode();
        if (!answersToSdk && (status < 200 || status > 299)) {
            throw TwilioHttpFailure.answered(status, response.body(), retryAfter(response));
        }
        return new Response(response.body(), status, headers(response));
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

    private HttpResponse<String> send(HttpRequest request, URI target) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (answersToSdk) {
                throw new ApiConnectionException("no answer from " + hostOf(target) + ": " + e, e);
            }
            throw classify(e, readTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (answersToSdk) {
                throw new ApiConnectionException("interrupted while waiting for " + hostOf(target), e);
            }
            throw TwilioHttpFailure.noAnswer("interrupted while waiting for Twilio", e);
        }
    }

    /**
     * A transport for checks and settings rather than sends ({@code dev.switchboard.twilio.live}):
     * one request per call, the base URL as above, every answer handed to the SDK.
     *
     * @param baseUrl the replacement for scheme, host and port (and a path prefix), or null
     */
    public static TwilioHttpTransport forChecks(URI baseUrl, Duration connectTimeout, Duration readTimeout) {
        return new TwilioHttpTransport(baseUrl, connectTimeout, readTimeout, Clock.systemUTC(), true);
    }

    private static String hostOf(URI target) {
        return target.getScheme() + "://" + target.getRawAuthority();
    }

    /** Whether the request can have reached Twilio, judged from how the exchange failed. */
    static TwilioHttpFailure classify(IOException e, Duration readTimeout) {
        if (e instanceof HttpConnectTimeoutException) {
            return TwilioHttpFailure.notSent("connect timeout", e);
        }
        if (e instanceof HttpTimeoutException) {
            return TwilioHttpFailure.noAnswer("no answer within " + readTimeout.toMillis() + " ms", e);
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException) {
            return TwilioHttpFailure.notSent("connection failed", e);
        }
        if (e instanceof SSLHandshakeException) {
            return TwilioHttpFailure.notSent("TLS handshake failed", e);
        }
        return TwilioHttpFailure.noAnswer("connection lost before an answer", e);
    }

    private URI target(Request request) {
        URI original;
        try {
            original = request.constructURL().toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the Twilio SDK built an invalid URL", e);
        }
        if (baseUrl == null) {
            return original;
        }
        return rewrite(baseUrl, original);
    }

    /** {@code original} with {@code base}'s scheme, host and port, and {@code base}'s path before its own. */
    static URI rewrite(URI base, URI original) {
        String prefix = base.getRawPath() == null ? "" : base.getRawPath();
        if (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        String path = original.getRawPath() == null ? "" : original.getRawPath();
        String query = original.getRawQuery() == null ? "" : "?" + original.getRawQuery();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + prefix + path + query);
    }

    private Duration retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(this::parseRetryAfter)
                .orElse(null);
    }

    Duration parseRetryAfter(String value) {
        String v = value.strip();
        if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Instant at =
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Header[] headers(HttpResponse<?> response) {
        Map<String, List<String>> map = response.headers().map();
        return map.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> new BasicHeader(e.getKey(), v)))
                .toArray(Header[]::new);
    }
}
