package dev.switchboard.runtime.internal;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Channel;
import dev.switchboard.channel.HomeChannel;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.pairing.Pairing;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairing in the runtime: a sender the access policy does not let in is let in once approved, and
 * asked for approval otherwise; the home address's {@code APPROVE <code>} and {@code DENY <code>} are
 * handled here and never reach the agent. Every text goes out as a push (outbox, opt-outs, outcomes),
 * never waited for on the turn's thread. A timer sends the welcomes an approval made elsewhere (a
 * command line) left in the store.
 */
public final class PairingGate implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pairing.class);

    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final Map<String, PairingSettings> settings;
    private final StorePairing pairing;
    private final PushService pushes;
    private final Clock clock;
    private final PairingCodes codes;
    private final Duration pollInterval;
    private final Object lifecycle = new Object();
    private ScheduledExecutorService timer; // guarded by lifecycle
    private volatile boolean started;

    public PairingGate(
            List<Channel> channels,
            Map<String, PairingSettings> settings,
            Store store,
            Clock clock,
            PushService pushes,
            Duration pollInterval) {
        this(channels, settings, store, clock, pushes, pollInterval, PairingCodes.secure());
    }

    PairingGate(
            List<Channel> channels,
            Map<String, PairingSettings> settings,
            Store store,
            Clock clock,
            PushService pushes,
            Duration pollInterval,
            PairingCodes codes) {
        channels.forEach(channel -> this.channels.put(channel.id(), channel));
        this.settings = Map.copyOf(settings);
        this.clock = clock;
        this.pushes = pushes;
        this.pollInterval = pollInterval;
        this.codes = codes;
        this.pairing = new StorePairing(store, clock, this::welcome);
    }

    /** Tells {@code feed} of each pairing change this process makes. */
    void feed(AdminFeed feed) {
        pairing.changes(feed::pairing);
    }

    /** Whether pairing is on for the channel. */
    boolean on(String channelId) {
        return settings.containsKey(channelId);
    }

    /** Whether the sender's approval on the channel is kept. */
    boolean isApproved(String channelId, Address sender) {
        return pairing.isApproved(channelId, sender, clock.instant());
    }

    /** The API over the same store, whose approvals tell the sender through this runtime. */
    public Pairing api() {
        return pairing;
    }

    /**
     * Checks that every channel with pairing on has a home address to ask.
     *
     * @throws IllegalStateException naming the channel and how to give it a home address
     */
    public void checkHomes() {
        for (String channelId : settings.keySet()) {
            Channel channel = channels.get(channelId);
            if (channel.home().isEmpty()) {
                throw new IllegalStateException("pairing is on for channel " + channelId
                        + ", but the channel has no home address to ask for approvals; "
                        + channel.homeSetting()
                                .map(setting -> "set " + setting + " to the owner's number")
                                .orElse("give the channel a home address")
                        + ", or turn pairing off for it");
            }
        }
    }

    /** Starts sending the welcomes left in the store, when pairing is on for a channel. */
    public void start() {
        synchronized (lifecycle) {
            started = true;
            if (settings.isEmpty() || timer != null) {
                return;
            }
            timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "switchboard-pairing");
                thread.setDaemon(true);
                return thread;
            });
            long every = Math.max(1, pollInterval.toMillis());
            timer.scheduleWithFixedDelay(this::sendWelcomes, every, every, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            started = false;
            if (timer != null) {
                timer.shutdownNow();
            }
        }
    }

    /**
     * Whether the message is the home address's {@code APPROVE <code>} or {@code DENY <code>} on a
     * channel with pairing on, which {@link #handles} takes and no turn may.
     */
    boolean isCommand(Arrival arrival) {
        if (!settings.containsKey(arrival.channel.id())) {
            return false;
        }
        Optional<HomeChannel> home = arrival.channel.home();
        return home.isPresent()
                && home.get().address().equals(arrival.message.from())
                && PairingCodes.command(arrival.message.text()).isPresent();
    }

    /**
     * Handles the message if it is the home address's {@code APPROVE <code>} or {@code DENY <code>} on
     * a channel with pairing on.
     *
     * @return whether it was: then it goes no further
     */
    boolean handles(Arrival arrival) {
        PairingSettings channelSettings = settings.get(arrival.channel.id());
        if (channelSettings == null) {
            return false;
        }
        Optional<HomeChannel> home = arrival.channel.home();
        InboundMessage message = arrival.message;
        if (home.isEmpty() || !home.get().address().equals(message.from())) {
            return false;
        }
        Optional<PairingCodes.Command> command = PairingCodes.command(message.text());
        if (command.isEmpty()) {
            return false;
        }
        String channelId = arrival.channel.id();
        try {
            command(channelId, message.from(), command.get(), channelSettings);
        } catch (RuntimeException e) {
            log.warn(
                    "pairing: could not handle the home address's {} on {}: {}",
                    command.get().approve() ? "APPROVE" : "DENY",
                    channelId,
                    e.getMessage());
            tell(channelId, message.from(), "Pairing: that could not be done just now (the store failed); try again.");
        }
        return true;
    }

    private void command(String channelId, Address home, PairingCodes.Command command, PairingSettings settings) {
        Instant now = clock.instant();
        Optional<Instant> locked = pairing.lockedUntil(channelId, now);
        if (locked.isPresent()) {
            log.info(
                    "pairing: an approval by text on {} refused: approvals are locked until {}",
                    channelId,
                    locked.get());
            tell(
                    channelId,
                    home,
                    "Pairing: approvals by text are locked until " + shown(locked.get())
                            + " after too many wrong codes.");
            return;
        }
        Optional<PairingRequest> taken = pairing.take(channelId, command.code(), now);
        if (taken.isEmpty()) {
            StorePairing.WrongCode wrong = pairing.wrongCode(channelId, settings, now);
            if (wrong.lockedUntil().isPresent()) {
                log.warn(
                        "pairing: {} wrong codes from the home address of {}: approvals by text are locked until {}",
                        wrong.count(),
                        channelId,
                        wrong.lockedUntil().get());
                tell(
                        channelId,
                        home,
                        "Pairing: no request waits with that code, and after " + wrong.count()
                                + " wrong codes approvals by text are locked until "
                                + shown(wrong.lockedUntil().get()) + ".");
            } else {
                log.info("pairing: a wrong or expired code from the home address of {}", channelId);
                tell(
                        channelId,
                        home,
                        "Pairing: no request waits with that code; it may have expired, or been"
                                + " answered already.");
            }
            return;
        }
        PairingRequest request = taken.get();
        String who = request.sender().value();
        if (command.approve()) {
            pairing.approve(request, now);
            log.info("pairing: {} approved on {} by the home address", request.sender(), channelId);
            tell(channelId, home, "Pairing: approved " + who + ", who may talk to the agent now and was told so.");
        } else {
            pairing.deny(request, now);
            log.info("pairing: {} denied on {} by the home address", request.sender(), channelId);
            tell(channelId, home, "Pairing: denied " + who + ", who was not told.");
        }
    }

    /**
     * Whether a sender the channel's access policy does not let in may talk to the agent: they were
     * approved. Otherwise, on a channel with pairing on, the home address is asked (once per request)
     * and the sender told (once an onboarding interval).
     */
    boolean admits(Arrival arrival) {
        String channelId = arrival.channel.id();
        PairingSettings channelSettings = settings.get(channelId);
        if (channelSettings == null) {
            return false;
        }
        Address sender = arrival.message.from();
        Optional<HomeChannel> home = arrival.channel.home();
        if (home.isEmpty() || home.get().address().equals(sender)) {
            // The owner is not paired with themselves.
            return false;
        }
        try {
            Instant now = clock.instant();
            if (pairing.isApproved(channelId, sender, now)) {
                return true;
            }
            StorePairing.Ask ask = pairing.ask(channelId, sender, channelSettings, codes, now);
            switch (ask.asked()) {
                case FULL -> {
                    log.info(
                            "pairing: {} requests wait on {}, the most; {} gets no code",
                            channelSettings.maxPending(),
                            channelId,
                            sender);
                    return false;
                }
                case DENIED -> {
                    log.debug("pairing: {} on {} was denied a short while ago", sender, channelId);
                    return false;
                }
                case WAITING -> log.debug("pairing: the request of {} on {} waits already", sender, channelId);
                case CREATED -> {
                    PairingRequest request = ask.request().orElseThrow();
                    log.info(
                            "pairing: {} asked to talk to the agent on {}; the home address was asked",
                            sender,
                            channelId);
                    tell(channelId, home.get().address(), notice(request, channelSettings));
                }
            }
            if (pairing.onboard(channelId, sender, channelSettings, now)) {
                tell(channelId, sender, channelSettings.onboardingMessage());
            }
        } catch (RuntimeException e) {
            log.warn("pairing: could not read or ask the approval of {} on {}: {}", sender, channelId, e.getMessage());
        }
        return false;
    }

    private static String notice(PairingRequest request, PairingSettings settings) {
        return "Pairing request on " + request.channelId() + ": "
                + request.sender().value()
                + " asks to talk to the agent. Reply APPROVE " + request.code() + " to let them in, or DENY "
                + request.code() + " to refuse. The code works for " + duration(settings.codeTtl()) + ".";
    }

    /** Tells an approved sender, through this runtime when it runs, else through the store. */
    private void welcome(PairingRequest approved) {
        if (!started || !channels.containsKey(approved.channelId())) {
            pairing.leaveWelcome(approved);
            return;
        }
        PairingSettings channelSettings = settings.getOrDefault(approved.channelId(), PairingSettings.defaults());
        tell(approved.channelId(), approved.sender(), channelSettings.approvedMessage());
    }

    /** Sends the welcomes that approvals made elsewhere left in the store. */
    void sendWelcomes() {
        try {
            for (PairingRequest approved : pairing.takeWelcomes(settings.keySet(), clock.instant())) {
                log.info("pairing: telling {} on {} of their approval", approved.sender(), approved.channelId());
                welcome(approved);
            }
        } catch (RuntimeException e) {
            log.warn("pairing: could not read the welcomes to send from the store: {}", e.getMessage());
        }
    }

    /** A push: its outcome is logged and reported like any other's; never waited for here. */
    private void tell(String channelId, Address to, String text) {
        try {
            pushes.send(channelId, to, text);
        } catch (RuntimeException e) {
            log.warn("pairing: could not send to {} on {}: {}", to, channelId, e.getMessage());
        }
    }

    private static String shown(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS)
                .toString()
                .replace('T', ' ')
                .replace("Z", " UTC");
    }

    private static String duration(Duration duration) {
        long minutes = duration.toMinutes();
        if (minutes >= 120 && minutes % 60 == 0) {
            return (minutes / 60) + " hours";
        }
        return minutes >= 1 ? minutes + (minutes == 1 ? " minute" : " minutes") : duration.toSeconds() + " seconds";
    }
}
