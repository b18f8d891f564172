package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;

/**
 * Where Twilio serves one account's message media: {@code
 * /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/ME…} (32 hex digits) on Twilio's API
 * origin, {@code https://api.twilio.com}, or on the origin of {@code TWILIO_API_BASE_URL} when set
 * (its scheme, host and port, and its path before Twilio's). A URL is the media of a message only if
 * it is exactly that: the same scheme, host and port, no user info, query or fragment, and the path
 * character for character (so {@code ..}, a percent-encoded character or a second slash fails).
 * Immutable.
 */
final class TwilioMediaOrigin {

    /** Twilio's API, where real media URLs point. */
    static final URI TWILIO_API = URI.create("https://api.twilio.com");

    private final String scheme;
    private final String host;
    private final int port;
    private final String pathPrefix;
    private final String accountSid;

    /**
     * @param apiBase Twilio's API or its replacement ({@code TWILIO_API_BASE_URL})
     * @param accountSid the channel's account, the only one whose media it reads
     */
    TwilioMediaOrigin(URI apiBase, String accountSid) {
        requireNonNull(apiBase, "apiBase");
        this.scheme = apiBase.getScheme().toLowerCase(Locale.ROOT);
        this.host = apiBase.getHost().toLowerCase(Locale.ROOT);
        this.port = effectivePort(apiBase);
        String prefix = apiBase.getRawPath() == null ? "" : apiBase.getRawPath();
        this.pathPrefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.accountSid = requireNonNull(accountSid, "accountSid");
    }

    /** Whether {@code url} is on this origin: same scheme, host and port. */
    boolean sameOrigin(URI url) {
        return url.getScheme() != null
                && url.getHost() != null
                && scheme.equalsIgnoreCase(url.getScheme())
                && host.equalsIgnoreCase(url.getHost())
                && port == effectivePort(url);
    }

    /** Whether {@code url} is where Twilio serves a media item of the message {@code messageSid} of this account. */
    boolean isMediaOf(URI url, String messageSid) {
        requireNonNull(url, "url");
        requireNonNull(messageSid, "messageSid");
        if (!sameOrigin(url)
                || url.getRawUserInfo() != null
                || url.getRawQuery() != null
                || url.getRawFragment() != null
                || url.getRawPath() == null) {
            return false;
        }
        String expected = pathPrefix + "/2010-04-01/Accounts/" + accountSid + "/Messages/" + messageSid + "/Media/";
        String path = url.getRawPath();
        if (!path.startsWith(expected) || path.length() != expected.length() + 34) {
            return false;
        }
        String mediaSid = path.substring(expected.length());
        if (!mediaSid.startsWith("ME")) {
            return false;
        }
        for (int i = 2; i < mediaSid.length(); i++) {
            char c = mediaSid.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F')) {
                return false;
            }
        }
        return true;
    }

    /** The origin, for messages: scheme, host and port. */
    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }

    private static int effectivePort(URI url) {
        if (url.getPort() != -1) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : "http".equalsIgnoreCase(url.getScheme()) ? 80 : -1;
    }
}
