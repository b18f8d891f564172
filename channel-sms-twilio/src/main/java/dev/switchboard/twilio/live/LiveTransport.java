package dev.switchboard.twilio.live;

import com.twilio.constant.EnumConstants;
import com.twilio.exception.ApiConnectionException;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;

/**
 * The Twilio SDK's HTTP seam for {@link TwilioLive}, on the JDK's HTTP client, as the channels'
 * sender has it: one HTTP request per call (no SDK retries), and an optional base URL that replaces
 * scheme, host and port of every request ({@code TWILIO_API_BASE_URL}). Every answer goes back to the
 * SDK, which turns one that is not 2xx into an {@code ApiException} with Twilio's code; a request
 * that gets no answer fails with {@link ApiConnectionException}.
 */
final class LiveTransport extends com.twilio.http.HttpClient implements AutoCloseable {

    private static final String USER_AGENT = "switchboard-twilio-live (twilio-java/13)";

    // The JDK client sets these itself and refuses them as request headers.
    private static final Set<String> RESTRICTED_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "authorization");

    private final HttpClient client;
    private final URI baseUrl;
    private final Duration readTimeout;

    /** @param baseUrl the replacement for scheme, host and port (and a path prefix), or null */
    LiveTransport(URI baseUrl, Duration connectTimeout, Duration readTimeout) {
        this.baseUrl = baseUrl;
        this.readTimeout = readTimeout;
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
        HttpRequest.Builder http = HttpRequest.newBuilder(target(request))
                .timeout(readTimeout)
                .header("User-Agent", USER_AGENT)
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
        HttpResponse<String> response;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ApiConnectionException("no answer from " + hostOf(request) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiConnectionException("interrupted while waiting for " + hostOf(request), e);
        }
        return new Response(response.body(), response.statusCode(), headers(response));
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

    private String hostOf(Request request) {
        URI target = target(request);
        return target.getScheme() + "://" + target.getRawAuthority();
    }

    private URI target(Request request) {
        URI original;
        try {
            original = request.constructURL().toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the Twilio SDK built an invalid URL", e);
        }
        return baseUrl == null ? original : rewrite(baseUrl, original);
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

    private static Header[] headers(HttpResponse<?> response) {
        Map<String, List<String>> map = response.headers().map();
        return map.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> new BasicHeader(e.getKey(), v)))
                .toArray(Header[]::new);
    }
}
