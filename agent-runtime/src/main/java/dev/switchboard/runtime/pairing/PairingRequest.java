package dev.switchboard.runtime.pairing;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import java.time.Instant;

/**
 * A sender waiting for the owner's approval on a channel.
 *
 * <p>{@link #toString()} shows neither the code nor the full number, so that logging a request is
 * safe; {@link #code()} is for the owner's eyes (a command line that lists requests).
 *
 * @param channelId the channel the sender wrote on
 * @param sender who asks to talk to the agent
 * @param code what the owner texts back ({@code APPROVE <code>}), eight characters
 * @param created when the request was made
 * @param expires when the code stops working
 */
public record PairingRequest(String channelId, Address sender, String code, Instant created, Instant expires) {

    public PairingRequest {
        requireNonNull(channelId, "channelId");
        requireNonNull(sender, "sender");
        requireNonNull(code, "code");
        requireNonNull(created, "created");
        requireNonNull(expires, "expires");
    }

    @Override
    public String toString() {
        return "PairingRequest[channelId=" + channelId + ", sender=" + sender + ", code=********, created=" + created
                + ", expires=" + expires + "]";
    }
}
