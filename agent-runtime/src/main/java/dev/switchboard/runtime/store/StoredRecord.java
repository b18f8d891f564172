package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A small keyed record with an optional expiry: a pending pairing, an approval, a count of wrong
 * codes. Records of one kind share a key space; a record whose expiry is not after the time of a
 * read is gone for that read, and {@link Store#purge} removes it.
 *
 * @param kind what the record is, e.g. {@code pairing.request}
 * @param key its key within the kind
 * @param value what it holds, as text (the store does not read it)
 * @param expiresAt when it stops being live; empty for a record that lives until deleted
 */
public record StoredRecord(String kind, String key, String value, Optional<Instant> expiresAt) {

    public StoredRecord {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        requireNonNull(expiresAt, "expiresAt");
    }

    /** Whether the record is live at {@code now}: it has no expiry, or its expiry is after {@code now}. */
    public boolean liveAt(Instant now) {
        return expiresAt.isEmpty() || expiresAt.get().isAfter(now);
    }
}
