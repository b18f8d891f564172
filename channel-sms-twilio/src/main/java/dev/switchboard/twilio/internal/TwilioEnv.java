package dev.switchboard.twilio.internal;

import java.util.Map;
import java.util.Optional;

/** Reads environment-style variables for the channels' {@code fromEnv} factories. */
final class TwilioEnv {

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
}
