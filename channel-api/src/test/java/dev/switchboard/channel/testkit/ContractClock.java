package dev.switchboard.channel.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until the kit moves it, so that {@code receivedAt} can be checked exactly. */
final class ContractClock extends Clock {

    private volatile Instant now;

    ContractClock(Instant start) {
        this.now = start;
    }

    void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the contract's clock stays in UTC");
    }

    @Override
    public Instant instant() {
        return now;
    }
}
