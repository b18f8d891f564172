package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A REST request the stand-in answered, and its answer, as {@link TwilioSandbox#exchanges()} lists
 * them: what a test needs to hold each call and each answer against Twilio's API description.
 *
 * @param method the HTTP method, such as {@code GET} or {@code POST}
 * @param path the request's raw path, such as {@code /2010-04-01/Accounts/AC…/Messages.json}
 * @param query the query parameters, decoded, in the order they came
 * @param form the {@code application/x-www-form-urlencoded} body's fields, decoded, in the order they
 *     came; empty for a request without a body
 * @param status the answer's HTTP status, or {@link #NO_ANSWER} when the connection closed unanswered
 * @param responseBody the answer's body as text (JSON for every answer but a bare 500), empty if none
 */
public record SandboxExchange(
        String method,
        String path,
        Map<String, List<String>> query,
        Map<String, List<String>> form,
        int status,
        String responseBody) {

    /** The {@link #status} of a request the stand-in closed without an answer. */
    public static final int NO_ANSWER = 0;

    public SandboxExchange {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
        form = Collections.unmodifiableMap(new LinkedHashMap<>(form));
        requireNonNull(responseBody, "responseBody");
    }
}
