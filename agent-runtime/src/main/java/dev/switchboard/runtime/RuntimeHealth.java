package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the runtime can take webhooks now, for a host's health or readiness probe (a Spring Boot
 * Actuator health contributor, a Kubernetes readiness endpoint): the same answer as the admin
 * server's {@code /readyz}.
 *
 * @param up whether every check passes
 * @param checks each check's state, in a fixed order: {@code listener} ({@code UP}, {@code
 *     NOT_USED} when webhooks come through the host's own server, {@code STARTING} or {@code DOWN}),
 *     {@code store} ({@code UP} or {@code DOWN}: it answered a ping within 3 s or not) and {@code
 *     runtime} ({@code STARTING}, {@code UP} or {@code CLOSED})
 * @param reasons why it is down, one sentence a check, empty when up
 */
public record RuntimeHealth(boolean up, Map<String, String> checks, List<String> reasons) {

    public RuntimeHealth {
        // In the order given (listener, store, runtime), which Map.copyOf would not keep.
        checks = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(checks, "checks")));
        reasons = List.copyOf(requireNonNull(reasons, "reasons"));
    }

    /** {@code "UP"} or {@code "DOWN"}. */
    public String status() {
        return up ? "UP" : "DOWN";
    }
}
