package dev.switchboard.twilio;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A Twilio account's credentials: its SID and auth token. The token signs webhooks and, with the
 * SID, authenticates REST calls.
 *
 * <p>{@link #toString()} hides the token, so the record is safe to log.
 *
 * @param accountSid the account SID, {@code AC} followed by 32 hex digits ({@code TWILIO_ACCOUNT_SID})
 * @param authToken the account's auth token ({@code TWILIO_AUTH_TOKEN}); never logged
 */
public record TwilioCredentials(String accountSid, String authToken) {

    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");

    /**
     * @throws IllegalArgumentException if {@code accountSid} is not {@code AC} followed by 32 hex
     *     digits, or {@code authToken} is blank
     */
    public TwilioCredentials {
        requireNonNull(accountSid, "accountSid");
        requireNonNull(authToken, "authToken");
        if (!ACCOUNT_SID.matcher(accountSid).matches()) {
            throw new IllegalArgumentException(
                    "TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: " + abbreviate(accountSid));
        }
        if (authToken.isBlank()) {
            throw new IllegalArgumentException("TWILIO_AUTH_TOKEN cannot be blank");
        }
    }

    // An account SID is not a secret, but a value pasted into the wrong variable might be one.
    private static String abbreviate(String value) {
        return value.length() <= 6 ? value : value.substring(0, 6) + "…(" + value.length() + " chars)";
    }

    /** The SID and a masked token. */
    @Override
    public String toString() {
        return "TwilioCredentials[accountSid=" + accountSid + ", authToken=***]";
    }
}
