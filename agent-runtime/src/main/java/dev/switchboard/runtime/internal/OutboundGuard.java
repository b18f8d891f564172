package dev.switchboard.runtime.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.channel.ChannelCapabilities;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.format.SegmentCounter;
import dev.switchboard.runtime.store.OutboundCharge;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps what each recipient of each channel is sent in any rolling hour, so that two bots answering
 * each other, or an agent stuck in a loop, cannot run up a bill: a part is handed to the channel only
 * if, with it, the recipient's last hour stays within the cap. A part costs its SMS segments on a
 * channel billed per segment, and one on any other.
 *
 * <p>Each recipient's hour is a log of (second, cost), a part's second rounded up, so that a part
 * leaves the window no sooner than an hour after it was charged: exact to the second, and at most
 * 3,600 entries whatever the cap. Time is the runtime's clock. A recipient with nothing charged or
 * refused for an hour, by the ticker, has nothing left in its window and is forgotten; at most {@code
 * maximumRecipients} are remembered (one pushed out early starts an empty hour).
 *
 * <p>Each episode is logged once, never a line per refused part: a WARN when a recipient is first
 * refused, and an INFO with the count refused when it ends. It ends at the first part let through
 * once the recipient's hour holds no more than half the cap (so that parts squeezing in as old ones
 * roll off do not start a new episode each time), when the recipient is forgotten, or when the
 * runtime closes.
 */
public final class OutboundGuard {

    private static final Logger log = LoggerFactory.getLogger(OutboundGuard.class);

    /** A guard that lets every part through. */
    public static final OutboundGuard OFF = new OutboundGuard();

    /** How far back the cap looks. */
    public static final Duration WINDOW = Duration.ofHours(1);

    private static final long WINDOW_SECONDS = WINDOW.toSeconds();
    private static final Ticket LET_THROUGH = new Ticket(null, 0, 0, null);

    private final int cap;
    private final Clock clock;
    private final Cache<ConversationKey, Recipient> recipients;
    private final Store shared;
    private final AtomicBoolean sharedFailing = new AtomicBoolean();

    private OutboundGuard() {
        this.cap = 0;
        this.clock = null;
        this.recipients = null;
        this.shared = null;
    }

    /**
     * @param cap the most a recipient may be charged in any rolling hour, positive
     * @param clock the time of the windows
     * @param ticker the time after which an idle recipient is forgotten
     * @param maximumRecipients how many recipients to remember at most
     */
    public OutboundGuard(int cap, Clock clock, Ticker ticker, long maximumRecipients) {
        this(cap, clock, ticker, maximumRecipients, null);
    }

    /**
     * A guard whose windows are kept in a durable store shared by replicas ({@link Store#charge}), so
     * that together they never let more through than the cap; null keeps them in this process.
     * Episodes are still logged by each replica for the parts it refused. While the store cannot
     * charge, each replica counts on its own, and says so once.
     */
    public OutboundGuard(int cap, Clock clock, Ticker ticker, long maximumRecipients, Store shared) {
        this.shared = shared;
        if (cap <= 0) {
            throw new IllegalArgumentException("cap must be positive: " + cap);
        }
        this.cap = cap;
        this.clock = clock;
        this.recipients = Caffeine.newBuilder()
                .maximumSize(maximumRecipients)
                // By then every part charged to the recipient has left its window: forgetting it changes nothing.
                .expireAfterAccess(WINDOW)
                .ticker(ticker)
                .executor(Runnable::run)
                .<ConversationKey, Recipient>removalListener((to, recipient, cause) -> {
                    if (to != null && recipient != null && cause != RemovalCause.REPLACED) {
                        recipient.forgotten(
                                to,
                                cause == RemovalCause.EXPIRED
                                        ? "went an hour without a part for them"
                                        : "was forgotten to bound memory");
                    }
                })
                .build();
    }

    /** What a part costs: its SMS segments on a channel billed per segment, else one message. */
    public static int cost(ChannelCapabilities capabilities, String text) {
        return capabilities.billedPerSegment()
                ? Math.max(1, SegmentCounter.count(text).count())
                : 1;
    }

    /** Whether the guard lets every part through. */
    public boolean off() {
        return recipients == null;
    }

    /**
     * Charges {@code cost} to the recipient {@code to} if its last hour stays within the cap with it,
     * or refuses the part.
     *
     * @param perSegment whether the cost is in SMS segments (else in messages), for the words
     * @param part the part's number, {@code "2/3"}, for the words
     * @return the charge, or the refusal with the failure to report
     */
    public Ticket admit(ConversationKey to, int cost, boolean perSegment, String part) {
        if (recipients == null) {
            return LET_THROUGH;
        }
        Recipient recipient = recipients.get(to, key -> new Recipient());
        return recipient.admit(to, cost, perSegment, part, clock.instant());
    }

    /**
     * Gives back the charge of a part that certainly did not reach the provider; one charged more
     * than an hour ago has left the window already. Does nothing for a refused part.
     */
    public void refund(Ticket ticket) {
        if (ticket.chargeId > 0) {
            try {
                shared.refund(ticket.chargeId);
            } catch (RuntimeException e) {
                log.warn("could not give back an outbound charge in {}: {}", shared.describe(), e.getMessage());
            }
        } else if (ticket.recipient != null) {
            ticket.recipient.refund(ticket.second, ticket.cost);
        }
    }

    /** How many recipients are remembered, once those idle for an hour are forgotten. */
    long remembered() {
        if (recipients == null) {
            return 0;
        }
        recipients.cleanUp();
        return recipients.estimatedSize();
    }

    /** Logs the episodes still going on: the runtime is closing. */
    public void close() {
        if (recipients != null) {
            recipients
                    .asMap()
                    .forEach((to, recipient) ->
                            recipient.forgotten(to, "is no longer followed: the runtime is closing"));
        }
    }

    @Override
    public String toString() {
        return recipients == null ? "OutboundGuard[off]" : "OutboundGuard[" + cap + " an hour per recipient]";
    }

    private static String units(long count, boolean perSegment) {
        return count + (perSegment ? " segment" : " message") + (count == 1 ? "" : "s");
    }

    private static String human(Duration duration) {
        return Duration.ofSeconds(duration.toSeconds()).toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** The guard's answer for one part: let through and charged, or refused. */
    public static final class Ticket {

        private final Recipient recipient;
        private final long second;
        private final int cost;
        private final PermanentChannelException refusal;
        private final long chargeId;

        private Ticket(Recipient recipient, long second, int cost, PermanentChannelException refusal) {
            this(recipient, second, cost, refusal, 0);
        }

        private Ticket(Recipient recipient, long second, int cost, PermanentChannelException refusal, long chargeId) {
            this.recipient = recipient;
            this.second = second;
            this.cost = cost;
            this.refusal = refusal;
            this.chargeId = chargeId;
        }

        /** Whether the part may be handed to the channel. */
        public boolean admitted() {
            return refusal == null;
        }

        /** The failure to report for a refused part; null for one let through. */
        public PermanentChannelException refusal() {
            return refusal;
        }
    }

    /** What one recipient was charged in its last hour, oldest first. */
    private static final class Entry {

        final long second;
        long cost;

        Entry(long second, long cost) {
            this.second = second;
            this.cost = cost;
        }
    }

    private final class Recipient {

        private final ArrayDeque<Entry> entries = new ArrayDeque<>(); // guarded by this
        private long charged; // guarded by this
        private long refused; // guarded by this
        private Instant episodeStart; // guarded by this
        private Instant lastRefused; // guarded by this
        private boolean perSegment; // guarded by this

        synchronized Ticket admit(ConversationKey to, int cost, boolean perSegment, String part, Instant now) {
            this.perSegment = perSegment;
            prune(now);
            if (shared != null) {
                OutboundCharge charge = null;
                try {
                    charge = shared.charge(to, now, cost, cap, now.minus(WINDOW));
                    if (sharedFailing.compareAndSet(true, false)) {
                        log.info("outbound guard: {} charges parts again for every replica", shared.describe());
                    }
                } catch (RuntimeException e) {
                    if (sharedFailing.compareAndSet(false, true)) {
                        log.warn(
                                "outbound guard: {} cannot charge parts ({}); each replica counts its own until it"
                                        + " can",
                                shared.describe(),
                                e.getMessage());
                    }
                }
                if (charge != null) {
                    return admitShared(to, cost, part, now, charge);
                }
            }
            if (charged + cost > cap) {
                return refuse(to, cost, part, now, charged);
            }
            if (refused > 0 && charged <= cap / 2) {
                ended(to, "is let through again", now);
            }
            long second = now.getEpochSecond() + (now.getNano() > 0 ? 1 : 0);
            Entry last = entries.peekLast();
            if (last != null && last.second >= second) {
                // Same second, or the clock went back: later is the safe side.
                last.cost += cost;
                second = last.second;
            } else {
                entries.addLast(new Entry(second, cost));
            }
            charged += cost;
            return new Ticket(this, second, cost, null);
        }

        // guarded by this
        private Ticket admitShared(ConversationKey to, int cost, String part, Instant now, OutboundCharge charge) {
            if (!charge.admitted()) {
                return refuse(to, cost, part, now, charge.chargedBefore());
            }
            if (refused > 0 && charge.chargedBefore() <= cap / 2) {
                ended(to, "is let through again", now);
            }
            return new Ticket(this, 0, cost, null, charge.id());
        }

        // guarded by this
        private Ticket refuse(ConversationKey to, int cost, String part, Instant now, long charged) {
            String costs = cost > cap
                    ? ", and part " + part + " alone costs " + cost
                    : cost > 1 ? ", and part " + part + " costs " + cost : "";
            PermanentChannelException refusal = new PermanentChannelException(
                    "outbound guard: " + to.counterpart() + " already received " + units(charged, perSegment)
                            + " in the last hour" + costs + " (cap " + cap + "); not sending part " + part
                            + ". Raise or disable it with AgentRuntimeBuilder#outboundSegmentCap",
                    null,
                    null);
            lastRefused = now;
            if (refused++ == 0) {
                episodeStart = now;
                log.warn(
                        "outbound guard engaged for {}: {} sent to them in the last hour, and part {} would take"
                                + " them over the cap of {}; further parts to them are refused until the hour"
                                + " rolls over (AgentRuntimeBuilder#outboundSegmentCap raises or disables it)",
                        to,
                        units(charged, perSegment),
                        part,
                        cap);
            }
            return new Ticket(null, 0, 0, refusal);
        }

        synchronized void refund(long second, int cost) {
            for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
                Entry entry = it.next();
                if (entry.second == second) {
                    entry.cost -= cost;
                    charged -= cost;
                    if (entry.cost <= 0) {
                        it.remove();
                    }
                    return;
                }
                if (entry.second < second) {
                    return;
                }
            }
        }

        synchronized void forgotten(ConversationKey to, String how) {
            if (refused > 0) {
                ended(to, how, lastRefused);
            }
        }

        private void prune(Instant now) {
            long nowSecond = now.getEpochSecond();
            while (!entries.isEmpty() && entries.peekFirst().second + WINDOW_SECONDS <= nowSecond) {
                charged -= entries.pollFirst().cost;
            }
        }

        private void ended(ConversationKey to, String how, Instant at) {
            log.info(
                    "outbound guard released for {}: it {}; {} part(s) refused over {} (cap {} {} an hour)",
                    to,
                    how,
                    refused,
                    human(Duration.between(episodeStart, at)),
                    cap,
                    perSegment ? "segments" : "messages");
            refused = 0;
        }
    }
}
