package dev.switchboard.whatsapp.twilio;

import dev.switchboard.channel.Address;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When each person last wrote to one WhatsApp sender: what WhatsApp's 24-hour customer-service
 * window is counted from. {@link TwilioWhatsAppChannel} records here every inbound message its host
 * accepts (authentic, not a repeat, within the sender's inbound limit) and reads it before each
 * send, to choose between free text and a template.
 *
 * <p>The default, {@link #inMemory(Duration)}, lives as long as the process: after a restart every
 * window counts as closed until the person writes again, which is the safe mistake (a template goes
 * out where free text would have done; free text never goes out where it would fail with Twilio
 * error 63016). An application that restarts often and wants to keep answering in free text can
 * supply a store of its own, backed by whatever it already persists.
 *
 * <p>One store belongs to one WhatsApp sender: addresses are the people's, in plain E.164.
 * Implementations must be thread-safe. {@link #recordInbound} is called from {@link
 * TwilioWhatsAppChannel#accepted}, on a host thread that may block briefly (never an I/O thread),
 * after Twilio was answered and before the message's turn; so a store may write through to a
 * database, and what it throws is logged without costing the message. {@link #lastInbound} is
 * called on the sending thread.
 */
public interface ConversationWindowStore {

    /**
     * When {@code person} last wrote, if known.
     *
     * @param person the counterpart, in plain E.164
     */
    Optional<Instant> lastInbound(Address person);

    /**
     * Records that {@code person} wrote at {@code at}. An older instant than the one already recorded
     * must not move it back: webhooks can arrive out of order.
     *
     * @param person the sender, in plain E.164
     * @param at when the message arrived, by the channel's clock ({@link
     *     dev.switchboard.channel.InboundMessage#receivedAt()}), which may be a little before the call
     */
    void recordInbound(Address person, Instant at);

    /**
     * A store in memory that forgets an entry once it is older than {@code retention}: a write sweeps
     * the expired entries when a 24th of the retention has passed since the last sweep, so the store
     * holds about the people who wrote within the retention, never everyone who ever wrote. Lost
     * when the process ends.
     *
     * @param retention how long an entry is worth keeping: the window's length
     * @throws IllegalArgumentException if {@code retention} is not positive
     */
    static ConversationWindowStore inMemory(Duration retention) {
        return new InMemoryConversationWindowStore(retention);
    }
}
