package dev.switchboard.runtime.internal;

import java.time.Instant;

/**
 * Where the {@link Outbox} notes the progress of one message's parts, before each request and after
 * each acceptance: a durable outbox, so that a turn cut short by a crash resumes its sending without
 * sending an accepted part again. {@link #NONE} notes nothing.
 */
interface PartJournal {

    PartJournal NONE = new PartJournal() {
        @Override
        public void sending(int part, Instant at) {}

        @Override
        public void accepted(int part, String messageId) {}
    };

    /** A request for part {@code part} (0-based) is about to leave. */
    void sending(int part, Instant at);

    /** The provider accepted part {@code part} as {@code messageId}. */
    void accepted(int part, String messageId);
}
