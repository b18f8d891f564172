package dev.switchboard.samples;

import dev.switchboard.runtime.RuntimeListener;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample gateway's delivery log: each move of each part the gateway sent ({@code delivered
 * SM… to +1555***4567}), with the full message sid so that it can be looked up in Twilio's console,
 * and each reply's outcome. Numbers are redacted and texts never logged.
 */
final class DeliveryLog implements RuntimeListener {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLog.class);

    @Override
    public void onPartStatus(PartStatus status) {
        log.info(
                "{} {} to {}{}{}",
                status.status().name().toLowerCase(Locale.ROOT),
                status.messageId(),
                status.conversation().counterpart(),
                status.parts() == 1 ? "" : " (part " + status.part() + "/" + status.parts() + ")",
                status.errorCode().map(code -> ", error " + code).orElse(""));
    }

    @Override
    public void onReplyOutcome(ReplyOutcome outcome) {
        if (outcome.kind() == ReplyOutcome.Kind.FAILED) {
            log.warn("reply to {} failed: {}", outcome.conversation(), outcome.reason());
        } else {
            log.info(
                    "reply to {} {}: {}",
                    outcome.conversation(),
                    outcome.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    outcome.reason());
        }
    }
}
