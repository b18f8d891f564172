package dev.switchboard.runtime;

import static dev.switchboard.runtime.FakeChannel.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.AccessPolicy;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.runtime.pairing.Pairing;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pairing in the runtime, on each store: replicas are runtimes of their own, with their own webhook
 * servers, on one database (one channel object, so that the test sees every send whichever replica
 * made it).
 */
abstract class PairingRuntimeContract {

    static final String SELF = "+15550000000";
    static final String HOME = "+15550009999";
    static final String STRANGER = "+15551230001";
    static final Pattern CODE = Pattern.compile("APPROVE ([A-Z0-9]{8})");

    /** A new handle on the database this test uses, as a replica has. */
    abstract Store replicaStore();

    final List<AgentRuntime> runtimes = new ArrayList<>();
    final List<Store> stores = new ArrayList<>();
    final RecordingListener listener = new RecordingListener();
    final FakeChannel channel = FakeChannel.sms().home(HOME).policy(AccessPolicy.allowOnly(Set.of()));
    final MutableClock clock = new MutableClock(Instant.now());
    private int sids;

    @AfterEach
    void closeReplicas() {
        runtimes.forEach(AgentRuntime::close);
        stores.forEach(Store::close);
    }

    AgentRuntime replica() {
        Store store = replicaStore();
        stores.add(store);
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(channel)
                .listener(listener)
                .agent(turn -> Optional.of("re: " + turn.text()))
                .store(store)
                .clock(clock)
                .pairing("sms", PairingSettings.defaults())
                .webhookServer("127.0.0.1", 0)
                .storePollInterval(Duration.ofMillis(100))
                .build()
                .start();
        runtimes.add(runtime);
        return runtime;
    }

    void text(AgentRuntime runtime, String from, String body) throws Exception {
        assertThat(FakeChannel.post(runtime, form("SM" + ++sids, from, SELF, body)))
                .isEqualTo(200);
    }

    /** The next {@code count} messages sent, by recipient. */
    Map<String, String> sent(int count) throws InterruptedException {
        Map<String, String> byRecipient = new HashMap<>();
        for (int i = 0; i < count; i++) {
            OutboundMessage message = channel.nextSent();
            assertThat(byRecipient.put(message.to().value(), message.text()))
                    .as("one message to each")
                    .isNull();
        }
        return byRecipient;
    }

    /** Texts as the stranger and returns the code the home address was sent. */
    String strangerAsks(AgentRuntime runtime) throws Exception {
        text(runtime, STRANGER, "hello?");
        Map<String, String> sent = sent(2);
        assertThat(sent.get(STRANGER)).isEqualTo(PairingSettings.DEFAULT_ONBOARDING_MESSAGE);
        assertThat(sent.get(HOME)).contains(STRANGER).contains("DENY ");
        Matcher code = CODE.matcher(sent.get(HOME));
        assertThat(code.find()).as("a code in %s", sent.get(HOME)).isTrue();
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.NOT_ALLOWED);
        return code.group(1);
    }

    /**
     * Pushes a marker to each recipient and sees the markers come next: a text sent to them before
     * would have come first, since each conversation's sends go in order.
     */
    void assertNothingMoreSentTo(AgentRuntime runtime, String... recipients) throws InterruptedException {
        for (String recipient : recipients) {
            runtime.send("sms", Address.of(recipient), "marker");
        }
        for (int i = 0; i < recipients.length; i++) {
            assertThat(channel.nextSent().text()).isEqualTo("marker");
        }
    }

    @Test
    void anApprovalByTheHomeOnOneReplicaLetsTheSenderTalkThroughAnother() throws Exception {
        AgentRuntime a = replica();
        AgentRuntime b = replica();
        String code = strangerAsks(a);
        assertThat(a.pairing().pending())
                .extracting(PairingRequest::channelId, PairingRequest::sender, PairingRequest::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sms", Address.of(STRANGER), code));

        text(b, HOME, "  approve " + code.toLowerCase() + " ");

        Map<String, String> told = sent(2);
        assertThat(told.get(STRANGER)).isEqualTo(PairingSettings.DEFAULT_APPROVED_MESSAGE);
        assertThat(told.get(HOME)).contains("approved " + STRANGER);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.PAIRING);
        assertThat(b.pairing().approved("sms")).containsExactly(Address.of(STRANGER));

        text(a, STRANGER, "may I now?");
        assertThat(channel.nextSent().text()).isEqualTo("re: may I now?");
        assertThat(a.pairing().pending()).isEmpty();
    }

    @Test
    void noPairingCodeReachesTheLog() throws Exception {
        try (dev.switchboard.runtime.schedule.LogCapture log = dev.switchboard.runtime.schedule.LogCapture.start()) {
            AgentRuntime a = replica();
            String code = strangerAsks(a);
            text(a, HOME, "approve " + code);
            sent(2);
            listener.next(RecordingListener.Dropped.class);

            assertThat(log.text()).contains("approved").doesNotContain(code).doesNotContain(code.toLowerCase());
        }
    }

    @Test
    void aStrangerWhoTextsAgainWhileTheirRequestWaitsGetsNoNewCodeNorText() throws Exception {
        AgentRuntime a = replica();
        strangerAsks(a);

        text(a, STRANGER, "hello??");

        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.NOT_ALLOWED);
        assertNothingMoreSentTo(a, STRANGER, HOME);
        assertThat(a.pairing().pending()).hasSize(1);
    }

    @Test
    void anExpiredCodeIsRefusedAndTheSenderIsAskedAboutAgain() throws Exception {
        AgentRuntime a = replica();
        String code = strangerAsks(a);
        clock.advance(Duration.ofHours(1));

        text(a, HOME, "APPROVE " + code);

        assertThat(channel.nextSent().text()).contains("no request waits with that code");
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.PAIRING);
        assertThat(a.pairing().approved("sms")).isEmpty();
        String again = strangerAsks(a);
        assertThat(again).isNotEqualTo(code);
    }

    @Test
    void wrongCodesFromTheHomeLockApprovalsUntilTheLockoutEnds() throws Exception {
        AgentRuntime a = replica();
        String code = strangerAsks(a);
        for (int i = 1; i <= 4; i++) {
            text(a, HOME, "APPROVE WRONG" + i + "XX");
            assertThat(channel.nextSent().text()).contains("no request waits with that code");
        }
        text(a, HOME, "DENY WRONG5XX");
        assertThat(channel.nextSent().text()).contains("locked until");

        text(a, HOME, "APPROVE " + code);

        assertThat(channel.nextSent().text()).contains("approvals by text are locked until");
        assertThat(a.pairing().approved("sms")).isEmpty();
        clock.advance(Duration.ofMinutes(15));
        text(a, HOME, "APPROVE " + code);
        assertThat(sent(2).get(HOME)).contains("approved " + STRANGER);
        assertThat(a.pairing().approved("sms")).containsExactly(Address.of(STRANGER));
    }

    @Test
    void aDenialIsQuietAndTheStrangerStaysOut() throws Exception {
        AgentRuntime a = replica();
        String code = strangerAsks(a);

        text(a, HOME, "deny " + code);

        OutboundMessage confirmation = channel.nextSent();
        assertThat(confirmation.to().value()).isEqualTo(HOME);
        assertThat(confirmation.text()).contains("denied " + STRANGER);
        text(a, STRANGER, "please?");
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.PAIRING);
        assertThat(listener.next(RecordingListener.Dropped.class).reason()).isEqualTo(DropReason.NOT_ALLOWED);
        assertNothingMoreSentTo(a, STRANGER, HOME);
        assertThat(a.pairing().pending()).isEmpty();
    }

    @Test
    void anApprovalThroughTheApiOrAnotherProcessTellsTheSender() throws Exception {
        AgentRuntime a = replica();
        AgentRuntime b = replica();
        String code = strangerAsks(a);

        assertThat(b.pairing().approve(code)).isPresent();
        assertThat(channel.nextSent().text()).isEqualTo(PairingSettings.DEFAULT_APPROVED_MESSAGE);

        // A command line has the store only: a runtime sends the welcome it leaves.
        assertThat(b.pairing().revoke("sms", Address.of(STRANGER))).isTrue();
        // An hour on, so that the stranger is told the onboarding text again.
        clock.advance(Duration.ofHours(1));
        String second = strangerAsks(a);
        Store elsewhere = replicaStore();
        stores.add(elsewhere);
        assertThat(Pairing.of(elsewhere, clock).approve(second)).isPresent();
        OutboundMessage welcome = channel.nextSent();
        assertThat(welcome.to().value()).isEqualTo(STRANGER);
        assertThat(welcome.text()).isEqualTo(PairingSettings.DEFAULT_APPROVED_MESSAGE);
        text(b, STRANGER, "thanks");
        assertThat(channel.nextSent().text()).isEqualTo("re: thanks");
    }

    @Test
    void pairingWithoutAHomeAddressRefusesToStartAndSaysWhy() {
        Store store = replicaStore();
        stores.add(store);
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(turn -> Optional.empty())
                .store(store)
                .pairing("sms", PairingSettings.defaults())
                .webhookServer("127.0.0.1", 0)
                .build();
        runtimes.add(runtime);

        assertThatThrownBy(runtime::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pairing is on for channel sms")
                .hasMessageContaining("no home address");
    }
}
