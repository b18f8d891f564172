package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

/**
 * A channel's home address: where pushes with no other recipient go, usually the operator's own
 * phone.
 *
 * @param address the recipient
 * @param name a human name for it, for logs and listings ({@code "ops phone"})
 */
public record HomeChannel(Address address, String name) {

    public HomeChannel {
        requireNonNull(address, "address");
        requireNonNull(name, "name");
    }
}
