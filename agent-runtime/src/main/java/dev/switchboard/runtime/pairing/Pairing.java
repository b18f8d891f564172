package dev.switchboard.runtime.pairing;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.internal.StorePairing;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The pairing requests and approvals kept in a store: what the owner's code or a command line lists,
 * approves and denies. Every method reads and writes the store, so it works from any replica sharing
 * it (and from a process that shares only the store: {@link #of(Store, Clock)}).
 *
 * <p>The home address approves by text ({@code APPROVE <code>}); these methods are the owner's too
 * and are not locked by wrong codes. Codes are compared without regard to case.
 */
public interface Pairing {

    /**
     * The pairings kept in {@code store}, for a process that does not run the channels, such as a
     * command line beside a running gateway. An approval there leaves the sender's welcome text in the
     * store; a runtime with pairing on for that channel and the same store sends it within its
     * {@linkplain dev.switchboard.runtime.AgentRuntimeBuilder#storePollInterval poll interval}.
     */
    static Pairing of(Store store, Clock clock) {
        return StorePairing.offline(store, clock);
    }

    /** The requests waiting for approval on every channel, whose codes have not expired, oldest first. */
    List<PairingRequest> pending();

    /**
     * Approves the request with {@code code}: its sender may talk to the agent from now on, and is told
     * so.
     *
     * @return the request approved, or empty when no request waits with that code (it expired, was
     *     approved or denied already, or never was)
     */
    Optional<PairingRequest> approve(String code);

    /**
     * Refuses the request with {@code code}; the sender is not told.
     *
     * @return the request denied, or empty when no request waits with that code
     */
    Optional<PairingRequest> deny(String code);

    /** The senders approved on the channel, in the order of their numbers. */
    List<Address> approved(String channelId);

    /**
     * Takes a sender's approval back: their next message is treated as a stranger's again.
     *
     * @return whether they had been approved
     */
    boolean revoke(String channelId, Address sender);
}
