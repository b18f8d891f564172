package dev.switchboard.runtime.schedule;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;

/**
 * Where a schedule's pushes go. Checked when the schedule is registered: a target that names an
 * unknown channel, or a home that is not configured, is refused there rather than failing at each
 * run.
 */
public sealed interface PushTarget {

    /** The home address of every channel that has one; the default. */
    static PushTarget allHomes() {
        return AllHomes.INSTANCE;
    }

    /** The home address of the channel {@code channelId}. */
    static PushTarget home(String channelId) {
        return new Home(channelId);
    }

    /** An explicit recipient on the channel {@code channelId}. */
    static PushTarget to(String channelId, Address address) {
        return new Recipient(channelId, address);
    }

    /** The home address of every channel that has one. */
    enum AllHomes implements PushTarget {
        INSTANCE;

        @Override
        public String toString() {
            return "all homes";
        }
    }

    /**
     * The home address of one channel.
     *
     * @param channelId the channel's id
     */
    record Home(String channelId) implements PushTarget {
        public Home {
            requireNonNull(channelId, "channelId");
        }

        @Override
        public String toString() {
            return "home of " + channelId;
        }
    }

    /**
     * An explicit recipient.
     *
     * @param channelId the channel's id
     * @param address the recipient; shown redacted
     */
    record Recipient(String channelId, Address address) implements PushTarget {
        public Recipient {
            requireNonNull(channelId, "channelId");
            requireNonNull(address, "address");
        }

        @Override
        public String toString() {
            return channelId + ":" + address;
        }
    }
}
