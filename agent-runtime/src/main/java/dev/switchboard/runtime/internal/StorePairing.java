package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.pairing.Pairing;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoredRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairings as records in the store, so that every replica sharing it sees the same requests and
 * approvals. Keys are {@code channelId|sender}; the kinds:
 *
 * <ul>
 *   <li>{@code pairing.request}: a request waiting, valued {@code CODE createdMillis}, expiring with
 *       its code; one per sender, made with {@link Store#insertRecord} so that two replicas never
 *       give one sender two codes, and approved or denied with {@link Store#takeRecord} so that one
 *       approval wins;
 *   <li>{@code pairing.approved}: an approved sender, for good;
 *   <li>{@code pairing.onboarded}: a sender told the onboarding text, until they may be told again;
 *   <li>{@code pairing.denied}: a sender denied, who is not asked about again for as long as a code
 *       works;
 *   <li>{@code pairing.wrong} (key {@code channelId|millis|nonce}) and {@code pairing.locked} (key the
 *       channel id): the home address's wrong codes within the window, and the lockout;
 *   <li>{@code pairing.welcome}: an approval made where the channel could not be used (a command
 *       line), for a runtime to tell the sender.
 * </ul>
 *
 * <p>Codes never reach a log or an exception's message.
 */
public final class StorePairing implements Pairing {

    private static final Logger log = LoggerFactory.getLogger(Pairing.class);

    static final String REQUEST = "pairing.request";
    static final String APPROVED = "pairing.approved";
    static final String ONBOARDED = "pairing.onboarded";
    static final String WRONG = "pairing.wrong";
    static final String LOCKED = "pairing.locked";
    static final String WELCOME = "pairing.welcome";
    static final String DENIED = "pairing.denied";

    /** How long an approval's welcome waits for a runtime to send it. */
    static final Duration WELCOME_TTL = Duration.ofDays(1);

    /** How an approved sender is told. */
    @FunctionalInterface
    interface Welcomer {
        void welcome(PairingRequest approved);
    }

    /** Hears each change this process makes: {@code requested}, {@code approved}, {@code denied}, {@code revoked}. */
    @FunctionalInterface
    interface Changes {
        void changed(String change, String channelId, Address sender);
    }

    private final Store store;
    private final Clock clock;
    private volatile Welcomer welcomer;
    private volatile Changes changes = (change, channelId, sender) -> {};

    StorePairing(Store store, Clock clock, Welcomer welcomer) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.welcomer = welcomer;
    }

    /** The pairings of a store, for a process without the channels: welcomes are left in the store. */
    public static StorePairing offline(Store store, Clock clock) {
        StorePairing pairing = new StorePairing(store, clock, null);
        pairing.welcomer = pairing::leaveWelcome;
        return pairing;
    }

    void welcomer(Welcomer welcomer) {
        this.welcomer = welcomer;
    }

    void changes(Changes changes) {
        this.changes = requireNonNull(changes, "changes");
    }

    Instant now() {
        return clock.instant();
    }

    // ---------------------------------------------------------------- the API

    @Override
    public List<PairingRequest> pending() {
        return pending(null, now());
    }

    @Override
    public Optional<PairingRequest> approve(String code) {
        requireNonNull(code, "code");
        Optional<PairingRequest> taken = take(null, PairingCodes.normalise(code), now());
        taken.ifPresent(request -> {
            approve(request, now());
            log.info("pairing: {} approved on {} by the owner's code", request.sender(), request.channelId());
        });
        return taken;
    }

    @Override
    public Optional<PairingRequest> deny(String code) {
        requireNonNull(code, "code");
        Optional<PairingRequest> taken = take(null, PairingCodes.normalise(code), now());
        taken.ifPresent(request -> {
            deny(request, now());
            log.info("pairing: {} denied on {} by the owner's code", request.sender(), request.channelId());
        });
        return taken;
    }

    @Override
    public List<Address> approved(String channelId) {
        requireNonNull(channelId, "channelId");
        String prefix = channelId + "|";
        List<Address> approved = new ArrayList<>();
        for (StoredRecord record : store.records(APPROVED, now())) {
            if (record.key().startsWith(prefix)) {
                approved.add(Address.of(record.key().substring(prefix.length())));
            }
        }
        approved.sort(Comparator.comparing(Address::value));
        return approved;
    }

    @Override
    public boolean revoke(String channelId, Address sender) {
        requireNonNull(channelId, "channelId");
        requireNonNull(sender, "sender");
        boolean revoked = store.deleteRecord(APPROVED, key(channelId, sender));
        if (revoked) {
            log.info("pairing: the approval of {} on {} was revoked", sender, channelId);
            changes.changed("revoked", channelId, sender);
        }
        return revoked;
    }

    // ---------------------------------------------------------------- for the runtime

    boolean isApproved(String channelId, Address sender, Instant now) {
        return store.record(APPROVED, key(channelId, sender), now).isPresent();
    }

    /** What asking for a sender's approval came to. */
    enum Asked {
        /** A new request: its code goes to the home address. */
        CREATED,
        /** The sender's request waits already (or another replica made it just now). */
        WAITING,
        /** The channel has as many requests waiting as it may. */
        FULL,
        /** The sender was denied a short while ago. */
        DENIED
    }

    /** The request made for a sender, or why none was. */
    record Ask(Asked asked, Optional<PairingRequest> request) {}

    Ask ask(String channelId, Address sender, PairingSettings settings, PairingCodes codes, Instant now) {
        String key = key(channelId, sender);
        if (store.record(REQUEST, key, now).isPresent()) {
            return new Ask(Asked.WAITING, Optional.empty());
        }
        if (store.record(DENIED, key, now).isPresent()) {
            return new Ask(Asked.DENIED, Optional.empty());
        }
        // Counted before the insert: replicas racing may let one or two more through, never many.
        if (pending(channelId, now).size() >= settings.maxPending()) {
            return new Ask(Asked.FULL, Optional.empty());
        }
        String code = codes.next();
        Instant expires = now.plus(settings.codeTtl());
        if (!store.insertRecord(REQUEST, key, code + " " + now.toEpochMilli(), Optional.of(expires), now)) {
            return new Ask(Asked.WAITING, Optional.empty());
        }
        changes.changed("requested", channelId, sender);
        return new Ask(Asked.CREATED, Optional.of(new PairingRequest(channelId, sender, code, now, expires)));
    }

    /** Whether the sender may be told the onboarding text now: not within the interval since the last. */
    boolean onboard(String channelId, Address sender, PairingSettings settings, Instant now) {
        return store.insertRecord(
                ONBOARDED, key(channelId, sender), "1", Optional.of(now.plus(settings.onboardingInterval())), now);
    }

    /** Until when approvals by text are locked on the channel, if they are. */
    Optional<Instant> lockedUntil(String channelId, Instant now) {
        return store.record(LOCKED, channelId, now).map(until -> Instant.ofEpochMilli(Long.parseLong(until)));
    }

    /** A wrong code counted, and the lockout it brought, if it did. */
    record WrongCode(int count, Optional<Instant> lockedUntil) {}

    WrongCode wrongCode(String channelId, PairingSettings settings, Instant now) {
        String prefix = channelId + "|";
        store.putRecord(
                WRONG,
                prefix + now.toEpochMilli() + "|" + UUID.randomUUID(),
                "1",
                Optional.of(now.plus(settings.wrongCodeWindow())));
        List<String> wrong = new ArrayList<>();
        for (StoredRecord record : store.records(WRONG, now)) {
            if (record.key().startsWith(prefix)) {
                wrong.add(record.key());
            }
        }
        if (wrong.size() < settings.maxWrongCodes()) {
            return new WrongCode(wrong.size(), Optional.empty());
        }
        Instant until = now.plus(settings.lockout());
        store.putRecord(LOCKED, channelId, Long.toString(until.toEpochMilli()), Optional.of(until));
        // The count starts again once the lockout ends.
        wrong.forEach(key -> store.deleteRecord(WRONG, key));
        return new WrongCode(wrong.size(), Optional.of(until));
    }

    /**
     * Takes the request waiting with {@code code} (on {@code channelId}, or any channel when null):
     * of two takes, on any replicas, one gets it.
     */
    Optional<PairingRequest> take(String channelId, String code, Instant now) {
        for (PairingRequest request : pending(channelId, now)) {
            if (!request.code().equals(code)) {
                continue;
            }
            String key = key(request.channelId(), request.sender());
            Optional<String> taken = store.takeRecord(REQUEST, key, now);
            if (taken.isEmpty()) {
                return Optional.empty();
            }
            if (!taken.get().startsWith(code + " ")) {
                // Another request of the sender's, made since the read: it stays.
                store.insertRecord(REQUEST, key, taken.get(), Optional.of(request.expires()), now);
                return Optional.empty();
            }
            return Optional.of(request);
        }
        return Optional.empty();
    }

    /** Keeps the sender's approval and tells them. */
    void approve(PairingRequest request, Instant now) {
        store.putRecord(
                APPROVED,
                key(request.channelId(), request.sender()),
                Long.toString(now.toEpochMilli()),
                Optional.empty());
        changes.changed("approved", request.channelId(), request.sender());
        welcomer.welcome(request);
    }

    /** Remembers the denial for as long as the request's code would have worked, so the home is not asked again at once. */
    void deny(PairingRequest request, Instant now) {
        Duration ttl = Duration.between(request.created(), request.expires());
        store.putRecord(
                DENIED,
                key(request.channelId(), request.sender()),
                Long.toString(now.toEpochMilli()),
                Optional.of(now.plus(ttl)));
        changes.changed("denied", request.channelId(), request.sender());
    }

    /** Leaves the welcome of an approved sender for a runtime running the channel to send. */
    void leaveWelcome(PairingRequest approved) {
        store.putRecord(
                WELCOME,
                key(approved.channelId(), approved.sender()),
                Long.toString(now().toEpochMilli()),
                Optional.of(now().plus(WELCOME_TTL)));
    }

    /** Takes the welcomes left for these channels: each goes to one replica. */
    List<PairingRequest> takeWelcomes(Set<String> channelIds, Instant now) {
        List<PairingRequest> taken = new ArrayList<>();
        for (StoredRecord record : store.records(WELCOME, now)) {
            int bar = record.key().indexOf('|');
            String channelId = record.key().substring(0, bar);
            if (channelIds.contains(channelId)
                    && store.takeRecord(WELCOME, record.key(), now).isPresent()) {
                Address sender = Address.of(record.key().substring(bar + 1));
                taken.add(new PairingRequest(channelId, sender, "", now, now));
            }
        }
        return taken;
    }

    /** The requests waiting on the channel (every channel when null), oldest first. */
    List<PairingRequest> pending(String channelId, Instant now) {
        List<PairingRequest> pending = new ArrayList<>();
        for (StoredRecord record : store.records(REQUEST, now)) {
            int bar = record.key().indexOf('|');
            int space = record.value().indexOf(' ');
            if (bar < 0 || space < 0 || record.expiresAt().isEmpty()) {
                continue;
            }
            String channel = record.key().substring(0, bar);
            if (channelId != null && !channelId.equals(channel)) {
                continue;
            }
            pending.add(new PairingRequest(
                    channel,
                    Address.of(record.key().substring(bar + 1)),
                    record.value().substring(0, space),
                    Instant.ofEpochMilli(Long.parseLong(record.value().substring(space + 1))),
                    record.expiresAt().get()));
        }
        pending.sort(Comparator.comparing(PairingRequest::created)
                .thenComparing(PairingRequest::channelId)
                .thenComparing(request -> request.sender().value()));
        return pending;
    }

    static String key(String channelId, Address sender) {
        return channelId + "|" + sender.value();
    }
}
