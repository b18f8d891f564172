package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks of option values that the sender and the channels' builders share. */
final class TwilioOptions {

    private static final Pattern MESSAGING_SERVICE_SID = Pattern.compile("MG[0-9a-fA-F]{32}");

    private TwilioOptions() {}

    /** @throws IllegalArgumentException if not {@code MG} followed by 32 hex digits */
    static String messagingServiceSid(String sid) {
        if (!MESSAGING_SERVICE_SID.matcher(sid).matches()) {
            throw new IllegalArgumentException(
                    "TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: " + sid);
        }
        return sid;
    }

    /** @throws IllegalArgumentException if zero or negative, naming the option */
    static Duration positive(String option, Duration value) {
        requireNonNull(value, option);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive: " + value);
        }
        return value;
    }

    /** {@code value} as a URI if it is an absolute http(s) URL with a host. */
    static Optional<URI> httpUri(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // not a URL at all: the same answer as a URL of another kind
        }
        return Optional.empty();
    }

    /** @throws IllegalArgumentException if not an absolute http(s) URL, naming the option */
    static URI httpUrl(String option, String value) {
        return httpUri(value)
                .orElseThrow(() -> new IllegalArgumentException(option + " must be an absolute http(s) URL: " + value));
    }
}
