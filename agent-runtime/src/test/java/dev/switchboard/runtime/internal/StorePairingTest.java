package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rules of pairing on the store, with a clock the test moves. */
class StorePairingTest {

    static final Address ALICE = Address.of("+15551230001");
    static final Address BOB = Address.of("+15551230002");
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final Store store = Store.inMemory();
    final List<PairingRequest> welcomed = new ArrayList<>();
    final StorePairing pairing = new StorePairing(store, clock, welcomed::add);
    final PairingCodes codes = new PairingCodes(new SplittableRandom(7));
    final PairingSettings settings = PairingSettings.defaults();

    PairingRequest ask(Address sender) {
        StorePairing.Ask ask = pairing.ask("sms", sender, settings, codes, clock.instant());
        assertThat(ask.asked()).isEqualTo(StorePairing.Asked.CREATED);
        return ask.request().orElseThrow();
    }

    @Test
    void codesAreEightCharactersFromAnAlphabetWithoutLookAlikes() {
        Set<String> seen = new HashSet<>();
        PairingCodes secure = PairingCodes.secure();
        for (int i = 0; i < 2_000; i++) {
            String code = secure.next();
            assertThat(code).hasSize(8).matches("[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}");
            seen.add(code);
        }
        assertThat(seen).hasSize(2_000);
        assertThat(PairingCodes.ALPHABET).doesNotContain("0", "O", "1", "I", "L");
    }

    @Test
    void aCommandIsApproveOrDenyAndOneWordOfEightAnyCaseSpacesAround() {
        assertThat(PairingCodes.command("APPROVE K7M2QX9P")).contains(new PairingCodes.Command(true, "K7M2QX9P"));
        assertThat(PairingCodes.command("  approve   k7m2qx9p \n"))
                .contains(new PairingCodes.Command(true, "K7M2QX9P"));
        assertThat(PairingCodes.command("Deny K7M2QX9P")).contains(new PairingCodes.Command(false, "K7M2QX9P"));
        assertThat(PairingCodes.command("approve")).isEmpty();
        assertThat(PairingCodes.command("approve K7M2QX9")).isEmpty();
        assertThat(PairingCodes.command("approve K7M2QX9P please")).isEmpty();
        assertThat(PairingCodes.command("I approve K7M2QX9P")).isEmpty();
        assertThat(PairingCodes.command("approve the plan")).isEmpty();
        assertThat(PairingCodes.command("APPROVE K7M2QX9P").orElseThrow().toString())
                .doesNotContain("K7M2QX9P");
    }

    @Test
    void aSenderHasOneRequestAtATimeAndNoNewCodeWhileItWaits() {
        PairingRequest first = ask(ALICE);

        StorePairing.Ask again = pairing.ask("sms", ALICE, settings, codes, clock.instant());

        assertThat(again.asked()).isEqualTo(StorePairing.Asked.WAITING);
        assertThat(pairing.pending()).containsExactly(first);
        assertThat(first.expires()).isEqualTo(T0.plus(Duration.ofHours(1)));
        assertThat(first.toString()).doesNotContain(first.code()).doesNotContain("+15551230001");
    }

    @Test
    void anExpiredCodeApprovesNothingAndTheSenderMayAskAgain() {
        PairingRequest request = ask(ALICE);
        clock.advance(Duration.ofHours(1));

        assertThat(pairing.pending()).isEmpty();
        assertThat(pairing.approve(request.code())).isEmpty();
        assertThat(pairing.isApproved("sms", ALICE, clock.instant())).isFalse();
        PairingRequest second = ask(ALICE);
        assertThat(second.code()).isNotEqualTo(request.code());
    }

    @Test
    void approvingLetsTheSenderInForGoodOnThatChannelAndWelcomesThem() {
        PairingRequest request = ask(ALICE);
        clock.advance(Duration.ofMinutes(59));

        assertThat(pairing.approve(request.code().toLowerCase())).contains(request);

        assertThat(welcomed).containsExactly(request);
        assertThat(pairing.pending()).isEmpty();
        clock.advance(Duration.ofDays(400));
        assertThat(pairing.isApproved("sms", ALICE, clock.instant())).isTrue();
        assertThat(pairing.isApproved("whatsapp", ALICE, clock.instant())).isFalse();
        assertThat(pairing.approved("sms")).containsExactly(ALICE);
        // A code works once.
        assertThat(pairing.approve(request.code())).isEmpty();
        assertThat(pairing.revoke("sms", ALICE)).isTrue();
        assertThat(pairing.isApproved("sms", ALICE, clock.instant())).isFalse();
        assertThat(pairing.revoke("sms", ALICE)).isFalse();
    }

    @Test
    void denyingRemovesTheRequestAndApprovesNobody() {
        PairingRequest request = ask(ALICE);

        assertThat(pairing.deny(request.code())).contains(request);

        assertThat(pairing.pending()).isEmpty();
        assertThat(welcomed).isEmpty();
        assertThat(pairing.isApproved("sms", ALICE, clock.instant())).isFalse();
        assertThat(pairing.approve(request.code())).isEmpty();
        // Not asked about again while the code would have worked; then again.
        assertThat(pairing.ask("sms", ALICE, settings, codes, clock.instant()).asked())
                .isEqualTo(StorePairing.Asked.DENIED);
        clock.advance(Duration.ofHours(1));
        assertThat(pairing.ask("sms", ALICE, settings, codes, clock.instant()).asked())
                .isEqualTo(StorePairing.Asked.CREATED);
    }

    @Test
    void atTheMostPendingNewSendersGetNoCodeUntilOneExpires() {
        PairingSettings two = settings.withMaxPending(2);
        pairing.ask("sms", ALICE, two, codes, clock.instant());
        clock.advance(Duration.ofMinutes(30));
        pairing.ask("sms", BOB, two, codes, clock.instant());
        Address carol = Address.of("+15551230003");

        assertThat(pairing.ask("sms", carol, two, codes, clock.instant()).asked())
                .isEqualTo(StorePairing.Asked.FULL);
        // Another channel counts its own.
        assertThat(pairing.ask("whatsapp", carol, two, codes, clock.instant()).asked())
                .isEqualTo(StorePairing.Asked.CREATED);

        clock.advance(Duration.ofMinutes(30));
        assertThat(pairing.ask("sms", carol, two, codes, clock.instant()).asked())
                .isEqualTo(StorePairing.Asked.CREATED);
    }

    @Test
    void theOnboardingTextGoesAtMostOnceAnInterval() {
        assertThat(pairing.onboard("sms", ALICE, settings, clock.instant())).isTrue();
        clock.advance(Duration.ofMinutes(59));
        assertThat(pairing.onboard("sms", ALICE, settings, clock.instant())).isFalse();
        assertThat(pairing.onboard("sms", BOB, settings, clock.instant())).isTrue();
        clock.advance(Duration.ofMinutes(1));
        assertThat(pairing.onboard("sms", ALICE, settings, clock.instant())).isTrue();
    }

    @Test
    void wrongCodesWithinTheWindowLockApprovalsForTheLockout() {
        for (int i = 1; i <= 4; i++) {
            StorePairing.WrongCode wrong = pairing.wrongCode("sms", settings, clock.instant());
            assertThat(wrong).isEqualTo(new StorePairing.WrongCode(i, Optional.empty()));
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(pairing.lockedUntil("sms", clock.instant())).isEmpty();

        StorePairing.WrongCode fifth = pairing.wrongCode("sms", settings, clock.instant());

        Instant until = clock.instant().plus(Duration.ofMinutes(15));
        assertThat(fifth).isEqualTo(new StorePairing.WrongCode(5, Optional.of(until)));
        assertThat(pairing.lockedUntil("sms", clock.instant())).contains(until);
        assertThat(pairing.lockedUntil("whatsapp", clock.instant())).isEmpty();
        clock.set(until);
        assertThat(pairing.lockedUntil("sms", clock.instant())).isEmpty();
        // The count started again.
        assertThat(pairing.wrongCode("sms", settings, clock.instant()).count()).isEqualTo(1);
    }

    @Test
    void wrongCodesOutsideTheWindowAreForgotten() {
        for (int i = 0; i < 4; i++) {
            pairing.wrongCode("sms", settings, clock.instant());
        }
        clock.advance(Duration.ofMinutes(15));

        assertThat(pairing.wrongCode("sms", settings, clock.instant()))
                .isEqualTo(new StorePairing.WrongCode(1, Optional.empty()));
    }

    @Test
    void anOfflineApprovalLeavesTheWelcomeForOneRuntimeToTake() {
        StorePairing offline = StorePairing.offline(store, clock);
        PairingRequest request = ask(ALICE);

        assertThat(offline.approve(request.code())).contains(request);

        assertThat(pairing.isApproved("sms", ALICE, clock.instant())).isTrue();
        assertThat(pairing.takeWelcomes(Set.of("whatsapp"), clock.instant())).isEmpty();
        assertThat(pairing.takeWelcomes(Set.of("sms"), clock.instant()))
                .extracting(PairingRequest::channelId, PairingRequest::sender)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sms", ALICE));
        assertThat(pairing.takeWelcomes(Set.of("sms"), clock.instant())).isEmpty();
    }

    @Test
    void settingsNameTheBadOptionAndValue() {
        assertThatThrownBy(() -> settings.withCodeTtl(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pairing codeTtl must be positive: PT0S");
        assertThatThrownBy(() -> settings.withMaxPending(0)).hasMessage("pairing maxPending must be at least 1: 0");
        assertThatThrownBy(() -> settings.withOnboardingMessage(" "))
                .hasMessage("pairing onboardingMessage cannot be blank");
        assertThatThrownBy(() -> settings.withLockout(0, Duration.ofMinutes(1), Duration.ofMinutes(1)))
                .hasMessage("pairing maxWrongCodes must be at least 1: 0");
    }
}
