package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A REST update the stand-in accepted: {@code POST
 * /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json} or {@code POST
 * /v1/Services/{Sid}}, with the form fields it carried.
 *
 * @param method the HTTP method, {@code POST}
 * @param path the request's path
 * @param form the form fields, in the order they came
 */
public record SandboxUpdate(String method, String path, Map<String, List<String>> form) {

    public SandboxUpdate {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        form = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(form));
    }
}
