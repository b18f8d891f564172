package dev.switchboard.twilio.live;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one check of {@link TwilioLive#doctor()}.
 *
 * @param name the check's name: {@code credentials}, {@code sender}, {@code webhook}, {@code
 *     recent-errors}, {@code reachability}, {@code whatsapp-sender} or {@code whatsapp-webhook}
 * @param status whether the setup passes
 * @param detail what was found, for a person; phone numbers redacted. The webhook checks start it
 *     with their diagnosis when they fail: {@code not_set:}, {@code url_mismatch:}, {@code
 *     wrong_http_method:} or {@code application_override:}
 * @param fix what to do about it; empty when the status is {@link Status#OK}
 */
public record LiveCheck(String name, Status status, String detail, String fix) {

    /** How a check came out. */
    public enum Status {
        /** Nothing to do. */
        OK,
        /** Works, with a limitation or a risk worth knowing before going live. */
        WARN,
        /** Messages will not flow until this is fixed. */
        FAIL
    }

    public LiveCheck {
        requireNonNull(name, "name");
        requireNonNull(status, "status");
        // A webhook URL may carry a user and password (Twilio calls it with them): never shown.
        detail = WebhookChange.withoutPassword(requireNonNull(detail, "detail"));
        fix = WebhookChange.withoutPassword(requireNonNull(fix, "fix"));
    }

    static LiveCheck ok(String name, String detail) {
        return new LiveCheck(name, Status.OK, detail, "");
    }

    static LiveCheck warn(String name, String detail, String fix) {
        return new LiveCheck(name, Status.WARN, detail, fix);
    }

    static LiveCheck fail(String name, String detail, String fix) {
        return new LiveCheck(name, Status.FAIL, detail, fix);
    }
}
