package dev.switchboard.runtime.internal;

import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.SendReceipt;
import java.util.List;

/** What became of sending one text's parts through a channel, before any delivery report. */
public sealed interface Delivery {

    /**
     * Every part was accepted; the receipts are in part order.
     *
     * @param segments the SMS segments the parts cost, or 0 where the channel is not billed per segment
     */
    record Sent(List<SendReceipt> receipts, int segments) implements Delivery {
        public Sent {
            receipts = List.copyOf(receipts);
        }
    }

    /** The text rendered to no parts; nothing was sent. */
    record Empty() implements Delivery {}

    /**
     * A part was not accepted, or the text could not be formatted ({@code part} and {@code parts} 0);
     * the parts after it were not sent.
     *
     * @param accepted the receipts of the parts accepted before it
     * @param failure the channel's last failure for the part
     * @param reason what became of the part, for people: {@code "refused: …"}, {@code "gave up after 5
     *     attempts in 12s: …"}; without the part's number
     * @param byGuard whether the {@link OutboundGuard} refused the part, which it logs once per episode
     *     rather than once per part
     */
    record Failed(
            int part, int parts, List<SendReceipt> accepted, ChannelException failure, String reason, boolean byGuard)
            implements Delivery {
        public Failed {
            accepted = List.copyOf(accepted);
        }

        /** A part that was not accepted for another reason than the guard. */
        public Failed(int part, int parts, List<SendReceipt> accepted, ChannelException failure, String reason) {
            this(part, parts, accepted, failure, reason, false);
        }
    }
}
