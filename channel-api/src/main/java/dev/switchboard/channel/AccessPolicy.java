package dev.switchboard.channel;

import java.util.Set;

/**
 * Who may talk to the agent on a channel. Deny by default: with no entries and {@code allowAll}
 * false, nobody may.
 *
 * <p>Entries are as configured (for phones, numbers with or without formatting); the host
 * normalises them (to E.164 for phones) and matches them against each sender's {@link Address}.
 *
 * @param allowAll whether everyone may, whatever the entries say; must be set explicitly
 * @param allowed the senders that may, as configured
 */
public record AccessPolicy(boolean allowAll, Set<String> allowed) {

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
    public static AccessPolicy allowOnly(Set<String> allowed) {
        return new AccessPolicy(false, allowed);
    }

    @Override
    public String toString() {
        return "AccessPolicy[allowAll=" + allowAll + ", entries=" + allowed.size() + "]";
    }
}
