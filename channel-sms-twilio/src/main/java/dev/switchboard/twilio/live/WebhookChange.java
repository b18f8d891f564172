package dev.switchboard.twilio.live;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * One field that {@link TwilioLive#configureWebhooks(boolean)} set, would set, or found already
 * right.
 *
 * @param target the resource, such as {@code IncomingPhoneNumber PN… (+1555***4567)} or {@code
 *     Messaging Service MG…}
 * @param field the field as Twilio's API names it: {@code SmsUrl}, {@code SmsMethod}, {@code
 *     InboundRequestUrl} or {@code InboundMethod}
 * @param from its value before; empty when it was not set
 * @param to the value it should have
 * @param applied whether an update was sent for it: {@code false} on a dry run, and when it already
 *     had the value ({@code from} equal to {@code to})
 */
public record WebhookChange(String target, String field, String from, String to, boolean applied) {

    public WebhookChange {
        requireNonNull(target, "target");
        requireNonNull(field, "field");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
    }

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b(https?://)[^/?#@\\s]+@");

    /** Whether the field did not have the value it should: an update was, or on a dry run would be, sent. */
    public boolean changes() {
        return !from.equals(to);
    }

    /** {@link #from()} as it may be shown: a user and password in a URL replaced by {@code ***}. */
    public String shownFrom() {
        return withoutPassword(from);
    }

    /** {@link #to()} as it may be shown: a user and password in a URL replaced by {@code ***}. */
    public String shownTo() {
        return withoutPassword(to);
    }

    /** {@code text} with the user and password of every http(s) URL in it replaced by {@code ***}. */
    public static String withoutPassword(String text) {
        return USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
