package dev.switchboard.twilio.live;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/** An HTTP GET from this machine to a webhook URL, to see whether anything answers there; tests override {@link #get}. */
class WebhookProbe {

    /** How long the probe waits to connect and for the answer, when not told otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);

    /** How a probe came out: an HTTP status, or how the exchange failed. */
    sealed interface Outcome {}

    record Answered(int status) implements Outcome {}

    record Refused() implements Outcome {}

    record TimedOut() implements Outcome {}

    record UnknownHost() implements Outcome {}

    record TlsFailed(String reason) implements Outcome {}

    record OtherFailure(String reason) implements Outcome {}

    private final Duration timeout;

    WebhookProbe(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    Outcome get(URI url) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        try {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(timeout)
                    .header("User-Agent", "switchboard-twilio-live")
                    .GET()
                    .build();
            return new Answered(
                    client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (HttpTimeoutException e) {
            return new TimedOut();
        } catch (ConnectException e) {
            // The JDK reports an unresolvable host as a ConnectException caused by UnknownHostException.
            return e.getCause() instanceof UnknownHostException ? new UnknownHost() : new Refused();
        } catch (UnknownHostException e) {
            return new UnknownHost();
        } catch (SSLException e) {
            return new TlsFailed(e.getClass().getSimpleName());
        } catch (IOException e) {
            return new OtherFailure(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new OtherFailure("interrupted");
        } finally {
            if (client instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // nothing is left to release
                }
            }
        }
    }
}
