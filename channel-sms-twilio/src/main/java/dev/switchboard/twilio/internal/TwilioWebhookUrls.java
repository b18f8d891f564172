package dev.switchboard.twilio.internal;

/**
 * A channel's webhook URL and paths: the public URL Twilio signs, the status-callback URL and path
 * beside it, and the normalised path of the incoming-message route.
 */
final class TwilioWebhookUrls {

    private static final String STATUS = "/status";

    private TwilioWebhookUrls() {}

    /**
     * @throws IllegalArgumentException if {@code url} is not an absolute http(s) URL without a
     *     fragment, naming the option
     */
    static String publicUrl(String option, String url) {
        if (TwilioOptions.httpUri(url)
                .filter(uri -> uri.getRawFragment() == null)
                .isEmpty()) {
            throw new IllegalArgumentException(option + " must be an absolute http(s) URL without a fragment: " + url);
        }
        return url;
    }

    /** Where Twilio posts status callbacks: the webhook URL plus {@code /status}, before any query. */
    static String statusUrl(String webhookUrl) {
        return withPathSuffix(webhookUrl, STATUS);
    }

    /** The status-callback route beside the incoming-message route at {@code webhookPath}. */
    static String statusPath(String webhookPath) {
        return webhookPath.equals("/") ? STATUS : webhookPath + STATUS;
    }

    /**
     * {@code path} without trailing slashes ({@code /} stays {@code /}).
     *
     * @throws IllegalArgumentException if it does not start with {@code /} or has a query, fragment
     *     or whitespace
     */
    static String webhookPath(String path) {
        if (!path.startsWith("/") || path.matches(".*[?#\\s].*")) {
            throw new IllegalArgumentException(
                    "webhookPath must start with / and have no query, fragment or whitespace: " + path);
        }
        String normalised = path;
        while (normalised.length() > 1 && normalised.endsWith("/")) {
            normalised = normalised.substring(0, normalised.length() - 1);
        }
        return normalised;
    }

    /** {@code url} with {@code suffix} added to its path (after one trailing slash is dropped), before any query. */
    static String withPathSuffix(String url, String suffix) {
        int query = url.indexOf('?');
        String path = query < 0 ? url : url.substring(0, query);
        String rest = query < 0 ? "" : url.substring(query);
        return (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + suffix + rest;
    }
}
