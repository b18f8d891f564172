package dev.switchboard.whatsapp.twilio;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelState;
import dev.switchboard.channel.ConversationKey;
import java.time.Instant;
import java.util.Optional;

/** The WhatsApp windows kept in the host's store ({@link ChannelState}), keyed by this channel's id. */
final class HostWindowStore implements ConversationWindowStore {

    private final ChannelState state;

    HostWindowStore(ChannelState state) {
        this.state = state;
    }

    @Override
    public Optional<Instant> lastInbound(Address person) {
        return state.lastInbound(new ConversationKey(TwilioWhatsAppChannel.ID, person));
    }

    @Override
    public void recordInbound(Address person, Instant at) {
        state.recordInbound(new ConversationKey(TwilioWhatsAppChannel.ID, person), at);
    }

    @Override
    public String toString() {
        return "the host's store";
    }
}
