package dev.switchboard.twilio.internal;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/** Reads environment-style variables for the channels' {@code fromEnv} factories. */
final class TwilioEnv {

    /** Where the webhook server binds when {@code SMS_WEBHOOK_HOST} is unset: every interface. */
    static final String DEFAULT_WEBHOOK_HOST = "0.0.0.0";

    /** Where the webhook server listens when {@code SMS_WEBHOOK_PORT} is unset. */
    static final int DEFAULT_WEBHOOK_PORT = 8080;

    private TwilioEnv() {}

    /** The stripped value of {@code key}; a blank value counts as unset. */
    static Optional<String> get(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    /**
     * {@code true} or {@code false} in any case; a blank value counts as unset.
     *
     * @throws IllegalArgumentException for any other value, naming the variable and the value
     */
    static Optional<Boolean> bool(Map<String, String> env, String key) {
        return get(env, key).map(value -> {
            if (value.equalsIgnoreCase("true")) {
                return true;
            }
            if (value.equalsIgnoreCase("false")) {
                return false;
            }
            throw new IllegalArgumentException(key + " must be true or false: " + value);
        });
    }

    /**
     * Where the host's webhook server binds by the Twilio channels' conventions: {@code
     * SMS_WEBHOOK_HOST} (default {@value #DEFAULT_WEBHOOK_HOST}) and {@code SMS_WEBHOOK_PORT}
     * (default {@value #DEFAULT_WEBHOOK_PORT}), a blank value counting as unset. The host name is not
     * resolved: the server does that when it binds.
     *
     * @throws IllegalArgumentException if {@code SMS_WEBHOOK_PORT} is not a number from 0 to 65535,
     *     naming the variable and its value as given
     */
    static InetSocketAddress webhookServerAddress(Map<String, String> env) {
        String host = get(env, "SMS_WEBHOOK_HOST").orElse(DEFAULT_WEBHOOK_HOST);
        Optional<String> portValue = get(env, "SMS_WEBHOOK_PORT");
        int port = DEFAULT_WEBHOOK_PORT;
        if (portValue.isPresent()) {
            try {
                port = Integer.parseInt(portValue.get());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "SMS_WEBHOOK_PORT must be a port number (0-65535): " + env.get("SMS_WEBHOOK_PORT"));
            }
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
