package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/** Remembers recently seen message ids per channel, bounded in size and in time. */
public final class MessageDedupe {

    private record Key(String channelId, String messageId) {}

    private final Cache<Key, Boolean> seen;

    public MessageDedupe(long maximumSize, Duration ttl, Ticker ticker) {
        this.seen = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(ttl)
                .ticker(ticker)
                // Maintenance on the calling thread: no dependency on the common pool, and tests see
                // evictions as they happen.
                .executor(Runnable::run)
                .build();
    }

    /** Records the id and returns whether it was not seen within the time to live. */
    public boolean firstSighting(String channelId, String messageId) {
        return seen.asMap().putIfAbsent(new Key(channelId, messageId), Boolean.TRUE) == null;
    }

    long size() {
        seen.cleanUp();
        return seen.estimatedSize();
    }
}
