package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Who may talk to the agent on a channel. Deny by default: with no entries and {@code allowAll}
 * false, nobody may.
 *
 * <p>The channel normalises its configured entries into its neutral address form (E.164 for
 * phones, whatever way the user wrote them), so the host matches senders by plain equality. A
 * message from anyone else is acknowledged and dropped without a reply, which would cost money.
 *
 * @param allowAll whether everyone may, whatever the entries say; must be set explicitly
 * @param allowed the senders that may
 */
public record AccessPolicy(boolean allowAll, Set<Address> allowed) {

    public AccessPolicy {
        allowed = Set.copyOf(allowed);
    }

    /** Nobody may talk to the agent. */
    public static AccessPolicy denyAll() {
        return new AccessPolicy(false, Set.of());
    }

    /** Everyone may talk to the agent. */
    public static AccessPolicy allowEveryone() {
        return new AccessPolicy(true, Set.of());
    }

    /** Only the listed senders may talk to the agent. */
    public static AccessPolicy allowOnly(Set<Address> allowed) {
        return new AccessPolicy(false, allowed);
    }

    /** Whether {@code sender} may talk to the agent. */
    public boolean permits(Address sender) {
        requireNonNull(sender, "sender");
        return allowAll || allowed.contains(sender);
    }

    @Override
    public String toString() {
        return "AccessPolicy[allowAll=" + allowAll + ", entries=" + allowed.size() + "]";
    }
}
