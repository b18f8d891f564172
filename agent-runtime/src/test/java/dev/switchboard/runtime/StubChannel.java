package dev.switchboard.runtime;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.TextFlavour;
import dev.switchboard.channel.WebhookRoute;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The parts of a test channel that tests rarely vary: a fixed id and capabilities, no addresses of
 * its own, everyone allowed, no home, no routes, and nothing to start or close. Subclasses send, and
 * override whatever else they need.
 */
public abstract class StubChannel implements Channel {

    private final String id;
    private final ChannelCapabilities capabilities;

    protected StubChannel(String id, ChannelCapabilities capabilities) {
        this.id = id;
        this.capabilities = capabilities;
    }

    /** Plain text up to 1600 characters, no media. */
    public static ChannelCapabilities plain(boolean billedPerSegment) {
        return new ChannelCapabilities(1600, TextFlavour.PLAIN, false, billedPerSegment);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ChannelCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public Set<Address> selfAddresses() {
        return Set.of();
    }

    @Override
    public AccessPolicy accessPolicy() {
        return AccessPolicy.allowEveryone();
    }

    @Override
    public Optional<HomeChannel> home() {
        return Optional.empty();
    }

    @Override
    public List<WebhookRoute> routes() {
        return List.of();
    }

    @Override
    public void start(ChannelContext context) {}

    @Override
    public void close() {}
}
