package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a store remembers what it keeps.
 *
 * @param dedupeRetention how long an accepted message's channel and id keep a redelivery out
 *     (default 24 hours; Twilio retries within minutes)
 * @param historyRetention how long history lines are kept (default 30 days); zero keeps none
 * @param historyPerConversation at most this many lines per conversation (default 1,000); the oldest
 *     go first
 */
public record StoreSettings(Duration dedupeRetention, Duration historyRetention, int historyPerConversation) {

    public StoreSettings {
        requireNonNull(dedupeRetention, "dedupeRetention");
        requireNonNull(historyRetention, "historyRetention");
        if (dedupeRetention.isNegative() || dedupeRetention.isZero()) {
            throw new IllegalArgumentException("dedupeRetention must be positive: " + dedupeRetention);
        }
        if (historyRetention.isNegative()) {
            throw new IllegalArgumentException("historyRetention must be zero or positive: " + historyRetention);
        }
        if (historyPerConversation < 1) {
            throw new IllegalArgumentException("historyPerConversation must be at least 1: " + historyPerConversation);
        }
    }

    public static StoreSettings defaults() {
        return new StoreSettings(Duration.ofHours(24), Duration.ofDays(30), 1_000);
    }

    public StoreSettings withDedupeRetention(Duration retention) {
        return new StoreSettings(retention, historyRetention, historyPerConversation);
    }

    public StoreSettings withHistoryRetention(Duration retention) {
        return new StoreSettings(dedupeRetention, retention, historyPerConversation);
    }

    public StoreSettings withHistoryPerConversation(int lines) {
        return new StoreSettings(dedupeRetention, historyRetention, lines);
    }
}
