package dev.switchboard.whatsapp.twilio;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/** {@link ConversationWindowStore#inMemory(Duration)}. */
final class InMemoryConversationWindowStore implements ConversationWindowStore {

    private final ConcurrentMap<Address, Instant> lastInbound = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Duration sweepEvery;
    private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);

    InMemoryConversationWindowStore(Duration retention) {
        requireNonNull(retention, "retention");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        this.retention = retention;
        Duration fraction = retention.dividedBy(24);
        this.sweepEvery = fraction.isZero() ? Duration.ofNanos(1) : fraction;
    }

    @Override
    public Optional<Instant> lastInbound(Address person) {
        requireNonNull(person, "person");
        return Optional.ofNullable(lastInbound.get(person));
    }

    @Override
    public void recordInbound(Address person, Instant at) {
        requireNonNull(person, "person");
        requireNonNull(at, "at");
        lastInbound.merge(person, at, (old, now) -> now.isAfter(old) ? now : old);
        Instant due = nextSweep.get();
        // One writer sweeps; the others go on. A sweep is linear, so it is spread out in time.
        if (!at.isBefore(due) && nextSweep.compareAndSet(due, at.plus(sweepEvery))) {
            Instant cutoff = at.minus(retention);
            // removeIf on a ConcurrentHashMap removes an entry only if it still holds the value tested,
            // so a sender who writes during the sweep is not lost.
            lastInbound.entrySet().removeIf(entry -> !entry.getValue().isAfter(cutoff));
        }
    }

    /** The number of people on record, for tests of the sweep. */
    int size() {
        return lastInbound.size();
    }

    @Override
    public String toString() {
        return "InMemoryConversationWindowStore[retention=" + retention + ", entries=" + lastInbound.size() + "]";
    }
}
