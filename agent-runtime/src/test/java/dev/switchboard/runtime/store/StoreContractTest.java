package dev.switchboard.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.Attachment;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.store.HistoryEntry.Direction;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Store} does, whatever keeps it. Each implementation's test extends this class
 * and says how to make an empty store. Times are passed explicitly and are whole milliseconds (what
 * the JDBC stores keep).
 */
abstract class StoreContractTest {

    static final String SMS = "sms";
    static final String WHATSAPP = "whatsapp";
    static final Address ALICE = Address.of("+15551230001");
    static final Address BOB = Address.of("+15551230002");
    static final Address CAROL = Address.of("+15551230003");
    static final Address SELF = Address.of("+15550000000");
    static final ConversationKey ALICE_SMS = new ConversationKey(SMS, ALICE);
    static final ConversationKey BOB_SMS = new ConversationKey(SMS, BOB);
    static final ConversationKey CAROL_SMS = new ConversationKey(SMS, CAROL);
    static final ConversationKey ALICE_WHATSAPP = new ConversationKey(WHATSAPP, ALICE);
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123Z");

    private final List<Store> opened = new ArrayList<>();

    /** A new, empty store with these settings. */
    protected abstract Store create(StoreSettings settings);

    /** Whether the implementation under test keeps what it stores beyond the process. */
    protected abstract boolean expectDurable();

    final Store store(StoreSettings settings) {
        Store store = create(settings);
        opened.add(store);
        return store;
    }

    final Store store() {
        return store(StoreSettings.defaults());
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Store::close);
    }

    static InboundMessage message(String id, ConversationKey conversation, String text, Instant receivedAt) {
        return new InboundMessage(
                id, conversation.channelId(), conversation.counterpart(), SELF, text, List.of(), receivedAt, Map.of());
    }

    static InboundMessage message(String id, ConversationKey conversation) {
        return message(id, conversation, "text of " + id, T0);
    }

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static List<String> ids(List<InboxEntry> entries) {
        return entries.stream().map(e -> e.message().id()).toList();
    }

    // ---------------------------------------------------------------- identity

    @Test
    void saysWhatItIsAndWhetherItIsDurable() {
        Store store = store();

        assertThat(store.durable()).isEqualTo(expectDurable());
        assertThat(store.describe()).isNotBlank().doesNotContain("password");
    }

    // ---------------------------------------------------------------- accept

    @Test
    void acceptsANewMessageOnceAndARedeliveryIsADuplicate() {
        Store store = store();

        List<Optional<InboxEntry>> first = store.accept(List.of(message("SM1", ALICE_SMS)), at(0));
        List<Optional<InboxEntry>> again = store.accept(List.of(message("SM1", ALICE_SMS)), at(5));

        assertThat(first).hasSize(1);
        assertThat(first.get(0)).hasValueSatisfying(entry -> {
            assertThat(entry.message()).isEqualTo(message("SM1", ALICE_SMS));
            assertThat(entry.acceptedAt()).isEqualTo(at(0));
        });
        assertThat(again).containsExactly(Optional.empty());
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM1");
        assertThat(store.history(ALICE_SMS, 10)).hasSize(1);
    }

    @Test
    void aDuplicateInsideOneBatchIsADuplicate() {
        Store store = store();

        List<Optional<InboxEntry>> accepted = store.accept(
                List.of(message("SM1", ALICE_SMS), message("SM1", ALICE_SMS), message("SM2", ALICE_SMS)), at(0));

        assertThat(accepted).hasSize(3);
        assertThat(accepted.get(0)).isPresent();
        assertThat(accepted.get(1)).isEmpty();
        assertThat(accepted.get(2)).isPresent();
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM1", "SM2");
        assertThat(store.history(ALICE_SMS, 10)).hasSize(2);
    }

    @Test
    void theSameIdOnAnotherChannelIsAnotherMessage() {
        Store store = store();

        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(0)).get(0))
                .isPresent();
        assertThat(store.accept(List.of(message("SM1", ALICE_WHATSAPP)), at(0)).get(0))
                .isPresent();
    }

    @Test
    void anEmptyBatchAcceptsNothing() {
        assertThat(store().accept(List.of(), at(0))).isEmpty();
    }

    @Test
    void sequencesFollowTheOrderOfAcceptance() {
        Store store = store();

        List<Optional<InboxEntry>> first =
                store.accept(List.of(message("SM1", ALICE_SMS), message("SM2", BOB_SMS)), at(0));
        List<Optional<InboxEntry>> second = store.accept(List.of(message("SM3", ALICE_SMS)), at(1));

        long s1 = first.get(0).orElseThrow().sequence();
        long s2 = first.get(1).orElseThrow().sequence();
        long s3 = second.get(0).orElseThrow().sequence();
        assertThat(s1).isLessThan(s2);
        assertThat(s2).isLessThan(s3);
        assertThat(store.pending(ALICE_SMS, 10))
                .extracting(InboxEntry::sequence)
                .containsExactly(s1, s3);
    }

    @Test
    void aRedeliveryAfterTheDedupeRetentionIsNewAgain() {
        Store store = store(StoreSettings.defaults().withDedupeRetention(Duration.ofMinutes(10)));
        store.accept(List.of(message("SM1", ALICE_SMS)), at(0));

        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(599)).get(0))
                .isEmpty();
        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(600)).get(0))
                .isPresent();
    }

    @Test
    void aMessageRoundTripsWithAttachmentsExtrasAndAnyText() {
        Store store = store();
        String text = "Grüße 👋🏽 — 你好, שלום, \"quoted\" \\ back\\slash\nsecond line\ttab \u0001";
        InboundMessage sent = new InboundMessage(
                "MM1",
                WHATSAPP,
                ALICE,
                SELF,
                text,
                List.of(
                        new Attachment(URI.create("https://api.example.com/Media/ME1?a=1&b=%22x%22"), "image/jpeg"),
                        new Attachment(URI.create("https://api.example.com/Media/ME2"), "audio/ogg; codecs=opus")),
                Instant.parse("2026-03-01T11:59:59.987Z"),
                Map.of(
                        "ProfileName", "Zoë \"Z\" O'Brien 🎉",
                        "ButtonPayload", "{\"json\": [1, 2]}\\",
                        "Empty", "",
                        "Ключ", "line\r\nbreak"));

        InboxEntry accepted = store.accept(List.of(sent), at(0)).get(0).orElseThrow();
        List<InboxEntry> pending = store.pending(ALICE_WHATSAPP, 10);
        List<HistoryEntry> history = store.history(ALICE_WHATSAPP, 10);

        assertThat(accepted.message()).isEqualTo(sent);
        assertThat(pending).containsExactly(accepted);
        assertThat(pending.get(0).message().text()).isEqualTo(text);
        assertThat(pending.get(0).message().attachments()).isEqualTo(sent.attachments());
        assertThat(pending.get(0).message().extras()).isEqualTo(sent.extras());
        assertThat(history)
                .containsExactly(new HistoryEntry(
                        ALICE_WHATSAPP,
                        Direction.INBOUND,
                        text,
                        sent.receivedAt(),
                        Optional.of("MM1"),
                        Optional.empty()));
    }

    // ---------------------------------------------------------------- pending, done, waiting

    @Test
    void pendingListsNotYetDoneEntriesInOrderUpToTheLimit() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS), message("SM2", BOB_SMS), message("SM3", ALICE_SMS)), at(0));
        store.accept(List.of(message("SM4", ALICE_SMS)), at(1));

        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM1", "SM3", "SM4");
        assertThat(ids(store.pending(ALICE_SMS, 2))).containsExactly("SM1", "SM3");
        assertThat(ids(store.pending(BOB_SMS, 10))).containsExactly("SM2");
        assertThat(store.pending(CAROL_SMS, 10)).isEmpty();
        assertThat(store.pending(ALICE_WHATSAPP, 10)).isEmpty();
    }

    @Test
    void aDoneEntryIsNotPendingAndItsRedeliveryStaysADuplicate() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS), message("SM2", ALICE_SMS)), at(0));
        InboxEntry first = store.pending(ALICE_SMS, 10).get(0);

        store.done(first, at(1));
        store.done(first, at(2));

        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM2");
        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(3)).get(0))
                .isEmpty();
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM2");
    }

    @Test
    void waitingConversationsComeOldestWaitingEntryFirst() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS), message("SM2", BOB_SMS)), at(0));
        store.accept(List.of(message("SM3", ALICE_SMS), message("SM4", CAROL_SMS)), at(1));

        assertThat(store.waitingConversations(at(2), 10)).containsExactly(ALICE_SMS, BOB_SMS, CAROL_SMS);
        assertThat(store.waitingConversations(at(2), 2)).containsExactly(ALICE_SMS, BOB_SMS);

        // Alice's oldest waiting entry is now SM3, after Bob's SM2.
        store.done(store.pending(ALICE_SMS, 1).get(0), at(2));
        assertThat(store.waitingConversations(at(2), 10)).containsExactly(BOB_SMS, ALICE_SMS, CAROL_SMS);

        store.done(store.pending(BOB_SMS, 1).get(0), at(2));
        assertThat(store.waitingConversations(at(2), 10)).containsExactly(ALICE_SMS, CAROL_SMS);
    }

    @Test
    void aConversationWithALiveLeaseIsNotWaitingUntilTheLeaseExpiresOrIsReleased() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS), message("SM2", BOB_SMS)), at(0));

        assertThat(store.lease(ALICE_SMS, "replica-1", at(1), Duration.ofSeconds(30)))
                .isTrue();

        assertThat(store.waitingConversations(at(1), 10)).containsExactly(BOB_SMS);
        assertThat(store.waitingConversations(at(30), 10)).containsExactly(BOB_SMS);
        assertThat(store.waitingConversations(at(31), 10)).containsExactly(ALICE_SMS, BOB_SMS);

        store.release(ALICE_SMS, "replica-1");
        assertThat(store.waitingConversations(at(2), 10)).containsExactly(ALICE_SMS, BOB_SMS);
    }

    @Test
    void noConversationWaitsInAnEmptyStore() {
        assertThat(store().waitingConversations(at(0), 10)).isEmpty();
    }

    // ---------------------------------------------------------------- leases

    @Test
    void aLeaseIsHeldByOneOwnerUntilItExpires() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);

        assertThat(store.lease(ALICE_SMS, "a", at(0), ttl)).isTrue();
        assertThat(store.lease(ALICE_SMS, "b", at(1), ttl)).isFalse();
        assertThat(store.lease(ALICE_SMS, "b", at(29), ttl)).isFalse();
        assertThat(store.lease(BOB_SMS, "b", at(1), ttl)).isTrue();

        // Expired at exactly now + ttl: another owner takes it over.
        assertThat(store.lease(ALICE_SMS, "b", at(30), ttl)).isTrue();
        assertThat(store.lease(ALICE_SMS, "a", at(31), ttl)).isFalse();
    }

    @Test
    void itsOwnerRenewsALease() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);

        assertThat(store.lease(ALICE_SMS, "a", at(0), ttl)).isTrue();
        assertThat(store.lease(ALICE_SMS, "a", at(20), ttl)).isTrue();

        // Held until 50 now, not 30.
        assertThat(store.lease(ALICE_SMS, "b", at(40), ttl)).isFalse();
        assertThat(store.lease(ALICE_SMS, "b", at(50), ttl)).isTrue();
    }

    @Test
    void itsOwnerRenewsAnExpiredLeaseNobodyTook() {
        Store store = store();

        assertThat(store.lease(ALICE_SMS, "a", at(0), Duration.ofSeconds(30))).isTrue();
        assertThat(store.lease(ALICE_SMS, "a", at(100), Duration.ofSeconds(30))).isTrue();
        assertThat(store.lease(ALICE_SMS, "b", at(110), Duration.ofSeconds(30))).isFalse();
    }

    @Test
    void onlyTheOwnerReleasesALease() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);
        store.lease(ALICE_SMS, "a", at(0), ttl);

        store.release(ALICE_SMS, "b");
        assertThat(store.lease(ALICE_SMS, "b", at(1), ttl)).isFalse();

        store.release(ALICE_SMS, "a");
        assertThat(store.lease(ALICE_SMS, "b", at(1), ttl)).isTrue();

        store.release(CAROL_SMS, "a");
    }

    @Test
    void acceptTakesTheFreeLeasesOfItsConversationsAndSaysWhichHaveNothingOlderWaiting() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);
        store.accept(List.of(message("SM1", ALICE_SMS)), at(0));

        Acceptance first = store.accept(
                List.of(message("SM2", ALICE_SMS), message("SM3", BOB_SMS), message("SM4", BOB_SMS)), at(1), "a", ttl);

        assertThat(first.entries()).hasSize(3).allMatch(Optional::isPresent);
        assertThat(first.optedOut()).isEmpty();
        // Alice's SM1 waits from before; Bob's new entries are all Bob has waiting.
        assertThat(first.leased()).containsOnly(entry(ALICE_SMS, false), entry(BOB_SMS, true));
        assertThat(store.lease(BOB_SMS, "b", at(2), ttl)).isFalse();

        // Held by "a": accepted for "b", not leased to it.
        Acceptance held = store.accept(List.of(message("SM5", BOB_SMS)), at(2), "b", ttl);
        assertThat(held.entries().get(0)).isPresent();
        assertThat(held.leased()).isEmpty();

        // Its owner renews it; a duplicate takes nothing.
        assertThat(store.accept(List.of(message("SM6", BOB_SMS)), at(3), "a", ttl)
                        .leased())
                .containsOnly(entry(BOB_SMS, false));
        Acceptance duplicate = store.accept(List.of(message("SM3", BOB_SMS)), at(4), "b", ttl);
        assertThat(duplicate.entries()).containsExactly(Optional.empty());
        assertThat(duplicate.leased()).isEmpty();

        // Expired (renewed at 3, so at 33): taken over, with the older entries to read.
        assertThat(store.accept(List.of(message("SM7", BOB_SMS)), at(33), "b", ttl)
                        .leased())
                .containsOnly(entry(BOB_SMS, false));
        assertThat(ids(store.pending(BOB_SMS, 10))).containsExactly("SM3", "SM4", "SM5", "SM6", "SM7");
        assertThat(store.history(BOB_SMS, 10)).hasSize(5);
    }

    @Test
    void acceptSaysWhichOfTheLeasedConversationsAreOptedOut() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);
        store.optOut(ALICE_SMS, at(0));
        store.optOut(CAROL_SMS, at(0));
        store.lease(CAROL_SMS, "b", at(0), ttl);

        Acceptance accepted = store.accept(
                List.of(message("SM1", ALICE_SMS), message("SM2", BOB_SMS), message("SM3", CAROL_SMS)),
                at(1),
                "a",
                ttl);

        // Carol's conversation is not leased to "a": not read for it.
        assertThat(accepted.leased()).containsOnlyKeys(ALICE_SMS, BOB_SMS);
        assertThat(accepted.optedOut()).containsExactly(ALICE_SMS);
    }

    @Test
    void settleMarksEntriesDoneAndGivesALeaseUpOnlyOnceNothingWaits() {
        Store store = store();
        Duration ttl = Duration.ofSeconds(30);
        Acceptance accepted = store.accept(
                List.of(message("SM1", ALICE_SMS), message("SM2", ALICE_SMS), message("SM3", BOB_SMS)),
                at(0),
                "a",
                ttl);
        InboxEntry first = accepted.entries().get(0).orElseThrow();
        InboxEntry second = accepted.entries().get(1).orElseThrow();
        InboxEntry bobs = accepted.entries().get(2).orElseThrow();
        assertThat(accepted.leased()).containsOnly(entry(ALICE_SMS, true), entry(BOB_SMS, true));
        store.recordParts(first.sequence(), 0, List.of("part"));

        // Alice's SM2 still waits: her lease is kept; Bob's is given up.
        assertThat(store.settle(List.of(first, bobs), List.of(ALICE_SMS, BOB_SMS), "a", at(1)))
                .containsExactly(ALICE_SMS);
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM2");
        assertThat(store.pending(BOB_SMS, 10)).isEmpty();
        assertThat(store.outbox(first.sequence())).isEmpty();
        assertThat(store.lease(ALICE_SMS, "b", at(1), ttl)).isFalse();
        assertThat(store.lease(BOB_SMS, "b", at(1), ttl)).isTrue();

        assertThat(store.settle(List.of(second), List.of(ALICE_SMS), "a", at(2)))
                .isEmpty();
        assertThat(store.pending(ALICE_SMS, 10)).isEmpty();
        assertThat(store.lease(ALICE_SMS, "b", at(2), ttl)).isTrue();

        // Not the holder: the entry is done, the holder keeps the lease.
        InboxEntry third = store.accept(List.of(message("SM4", ALICE_SMS)), at(3), "c", ttl)
                .entries()
                .get(0)
                .orElseThrow();
        assertThat(store.settle(List.of(third), List.of(ALICE_SMS), "c", at(4))).isEmpty();
        assertThat(store.pending(ALICE_SMS, 10)).isEmpty();
        assertThat(store.lease(ALICE_SMS, "c", at(4), ttl)).isFalse();

        // A release with nothing done, and nothing at all.
        assertThat(store.settle(List.of(), List.of(ALICE_SMS), "b", at(5))).isEmpty();
        assertThat(store.lease(ALICE_SMS, "c", at(5), ttl)).isTrue();
        assertThat(store.settle(List.of(), List.of(), "c", at(6))).isEmpty();
    }

    // ---------------------------------------------------------------- history

    static HistoryEntry outbound(ConversationKey conversation, String text, Instant at, String messageId) {
        return new HistoryEntry(
                conversation, Direction.OUTBOUND, text, at, Optional.ofNullable(messageId), Optional.of("queued"));
    }

    @Test
    void historyIsTheMostRecentLinesOldestFirst() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS, "hello", at(0))), at(0));
        store.record(outbound(ALICE_SMS, "hi Alice", at(1), "SMo1"));
        store.accept(List.of(message("SM2", ALICE_SMS, "how are you", at(2))), at(2));
        store.record(
                new HistoryEntry(ALICE_SMS, Direction.OUTBOUND, "fine", at(3), Optional.empty(), Optional.empty()));

        assertThat(store.history(ALICE_SMS, 10))
                .extracting(HistoryEntry::text)
                .containsExactly("hello", "hi Alice", "how are you", "fine");
        assertThat(store.history(ALICE_SMS, 2)).extracting(HistoryEntry::text).containsExactly("how are you", "fine");
        assertThat(store.history(ALICE_SMS, 10).get(0))
                .isEqualTo(new HistoryEntry(
                        ALICE_SMS, Direction.INBOUND, "hello", at(0), Optional.of("SM1"), Optional.empty()));
        assertThat(store.history(ALICE_SMS, 10).get(1)).isEqualTo(outbound(ALICE_SMS, "hi Alice", at(1), "SMo1"));
        assertThat(store.history(ALICE_SMS, 10).get(3).messageId()).isEmpty();
        assertThat(store.history(BOB_SMS, 10)).isEmpty();
        assertThat(store.history(ALICE_WHATSAPP, 10)).isEmpty();
    }

    @Test
    void historyKeepsAtMostTheBoundPerConversationDroppingTheOldest() {
        Store store = store(StoreSettings.defaults().withHistoryPerConversation(3));
        for (int i = 1; i <= 5; i++) {
            store.record(outbound(ALICE_SMS, "to alice " + i, at(i), null));
        }
        store.record(outbound(BOB_SMS, "to bob", at(6), null));
        store.accept(List.of(message("SM6", ALICE_SMS, "from alice 6", at(7))), at(7));

        assertThat(store.history(ALICE_SMS, 10))
                .extracting(HistoryEntry::text)
                .containsExactly("to alice 4", "to alice 5", "from alice 6");
        assertThat(store.history(BOB_SMS, 10)).extracting(HistoryEntry::text).containsExactly("to bob");
        assertThat(store.conversations(10))
                .extracting(ConversationSummary::messages)
                .containsExactly(3L, 1L);
    }

    @Test
    void historyIsWithinTheBoundOnceTheTurnsOfALeasedAcceptanceAreSettled() {
        Store store = store(StoreSettings.defaults().withHistoryPerConversation(3));
        for (int i = 1; i <= 3; i++) {
            store.record(outbound(ALICE_SMS, "to alice " + i, at(i), null));
        }
        Acceptance accepted = store.accept(
                List.of(
                        message("SM4", ALICE_SMS, "from alice 4", at(4)),
                        message("SM5", ALICE_SMS, "from alice 5", at(5))),
                at(5),
                "a",
                Duration.ofSeconds(30));

        store.settle(accepted.entries().stream().map(Optional::orElseThrow).toList(), List.of(ALICE_SMS), "a", at(6));

        assertThat(store.history(ALICE_SMS, 10))
                .extracting(HistoryEntry::text)
                .containsExactly("to alice 3", "from alice 4", "from alice 5");
        assertThat(store.conversations(10))
                .extracting(ConversationSummary::messages)
                .containsExactly(3L);
    }

    @Test
    void aHistoryRetentionOfZeroKeepsNoLinesButStillAcceptsAndDedupes() {
        Store store = store(StoreSettings.defaults().withHistoryRetention(Duration.ZERO));

        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(0)).get(0))
                .isPresent();
        store.record(outbound(ALICE_SMS, "hi", at(1), "SMo1"));

        assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(2)).get(0))
                .isEmpty();
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM1");
        assertThat(store.history(ALICE_SMS, 10)).isEmpty();
        assertThat(store.conversations(10)).isEmpty();
    }

    @Test
    void updateStatusChangesTheOutboundLineWithThatId() {
        Store store = store();
        store.record(outbound(ALICE_SMS, "one", at(1), "SMo1"));
        store.record(outbound(ALICE_SMS, "two", at(2), "SMo2"));
        store.record(outbound(ALICE_WHATSAPP, "three", at(3), "SMo1"));

        store.updateStatus(SMS, "SMo1", "delivered");
        store.updateStatus(SMS, "SMunknown", "failed");

        assertThat(store.history(ALICE_SMS, 10))
                .extracting(line -> line.status().orElse("-"))
                .containsExactly("delivered", "queued");
        assertThat(store.history(ALICE_WHATSAPP, 10).get(0).status()).contains("queued");

        store.updateStatus(SMS, "SMo1", "read");
        assertThat(store.history(ALICE_SMS, 10).get(0).status()).contains("read");
    }

    @Test
    void updateStatusLeavesInboundLinesAlone() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS)), at(0));

        store.updateStatus(SMS, "SM1", "delivered");

        assertThat(store.history(ALICE_SMS, 10).get(0).status()).isEmpty();
    }

    @Test
    void conversationsComeMostRecentlyActiveFirstWithTheirCounts() {
        Store store = store();
        store.accept(List.of(message("SM1", ALICE_SMS, "a", at(0))), at(0));
        store.accept(List.of(message("SM2", BOB_SMS, "b", at(1))), at(1));
        store.record(outbound(ALICE_SMS, "to alice", at(5), null));
        store.accept(List.of(message("SM3", CAROL_SMS, "c", at(3))), at(3));

        assertThat(store.conversations(10))
                .containsExactly(
                        new ConversationSummary(ALICE_SMS, at(5), 2),
                        new ConversationSummary(CAROL_SMS, at(3), 1),
                        new ConversationSummary(BOB_SMS, at(1), 1));
        assertThat(store.conversations(2))
                .extracting(ConversationSummary::conversation)
                .containsExactly(ALICE_SMS, CAROL_SMS);
        assertThat(store().conversations(10)).isEmpty();
    }

    // ---------------------------------------------------------------- opt-outs

    @Test
    void optOutAndOptInPerConversation() {
        Store store = store();

        assertThat(store.isOptedOut(ALICE_SMS)).isFalse();

        store.optOut(ALICE_SMS, at(0));
        store.optOut(ALICE_SMS, at(1));
        assertThat(store.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(store.isOptedOut(ALICE_WHATSAPP)).isFalse();
        assertThat(store.isOptedOut(BOB_SMS)).isFalse();

        store.optIn(ALICE_SMS);
        store.optIn(BOB_SMS);
        assertThat(store.isOptedOut(ALICE_SMS)).isFalse();
    }

    // ---------------------------------------------------------------- windows

    @Test
    void theLastInboundTimeOnlyMovesForward() {
        Store store = store();

        assertThat(store.lastInbound(ALICE_WHATSAPP)).isEmpty();

        store.recordInbound(ALICE_WHATSAPP, at(10));
        store.recordInbound(ALICE_WHATSAPP, at(5));
        assertThat(store.lastInbound(ALICE_WHATSAPP)).contains(at(10));

        store.recordInbound(ALICE_WHATSAPP, at(20));
        assertThat(store.lastInbound(ALICE_WHATSAPP)).contains(at(20));
        assertThat(store.lastInbound(ALICE_SMS)).isEmpty();
    }

    // ---------------------------------------------------------------- schedules

    @Test
    void aFireTimeIsClaimedOnce() {
        Store store = store();

        assertThat(store.claimFire("daily", at(60), "a", at(60))).isTrue();
        assertThat(store.claimFire("daily", at(60), "b", at(61))).isFalse();
        assertThat(store.claimFire("daily", at(60), "a", at(62))).isFalse();
        assertThat(store.claimFire("daily", at(120), "b", at(120))).isTrue();
        assertThat(store.claimFire("hourly", at(60), "b", at(60))).isTrue();
    }

    // ---------------------------------------------------------------- keyed records

    @Test
    void aRecordIsLiveUntilItsExpiry() {
        Store store = store();
        store.putRecord("pairing", "K1", "one", Optional.of(at(60)));
        store.putRecord("pairing", "K2", "forever", Optional.empty());

        assertThat(store.record("pairing", "K1", at(59))).contains("one");
        assertThat(store.record("pairing", "K1", at(60))).isEmpty();
        assertThat(store.record("pairing", "K2", at(1_000_000))).contains("forever");
        assertThat(store.record("pairing", "K3", at(0))).isEmpty();
        assertThat(store.record("other", "K1", at(0))).isEmpty();
    }

    @Test
    void putRecordReplacesTheValueAndTheExpiry() {
        Store store = store();
        store.putRecord("pairing", "K1", "one", Optional.of(at(60)));
        store.putRecord("pairing", "K1", "two", Optional.empty());

        assertThat(store.record("pairing", "K1", at(120))).contains("two");
        assertThat(store.records("pairing", at(120)))
                .containsExactly(new StoredRecord("pairing", "K1", "two", Optional.empty()));
    }

    @Test
    void recordsOfAKindAreTheLiveOnesOrderedByKey() {
        Store store = store();
        store.putRecord("pairing", "b", "2", Optional.of(at(60)));
        store.putRecord("pairing", "a", "1", Optional.empty());
        store.putRecord("pairing", "c", "3", Optional.of(at(10)));
        store.putRecord("pairing", "B", "0", Optional.of(at(60)));
        store.putRecord("choice", "a", "x", Optional.empty());

        assertThat(store.records("pairing", at(20)))
                .containsExactly(
                        new StoredRecord("pairing", "B", "0", Optional.of(at(60))),
                        new StoredRecord("pairing", "a", "1", Optional.empty()),
                        new StoredRecord("pairing", "b", "2", Optional.of(at(60))));
        assertThat(store.records("nothing", at(0))).isEmpty();
    }

    @Test
    void insertRecordWritesOnlyWhereNoLiveRecordIs() {
        Store store = store();

        assertThat(store.insertRecord("pairing", "K1", "first", Optional.of(at(60)), at(0)))
                .isTrue();
        assertThat(store.insertRecord("pairing", "K1", "second", Optional.of(at(120)), at(30)))
                .isFalse();
        assertThat(store.record("pairing", "K1", at(30))).contains("first");

        // Expired: replaced as if absent.
        assertThat(store.insertRecord("pairing", "K1", "third", Optional.of(at(180)), at(60)))
                .isTrue();
        assertThat(store.record("pairing", "K1", at(61))).contains("third");

        store.putRecord("pairing", "K2", "forever", Optional.empty());
        assertThat(store.insertRecord("pairing", "K2", "other", Optional.empty(), at(1_000_000)))
                .isFalse();
        assertThat(store.insertRecord("choice", "K2", "other", Optional.empty(), at(0)))
                .isTrue();
    }

    @Test
    void takeRecordReturnsALiveRecordOnceAndLeavesAnExpiredOne() {
        Store store = store();
        store.putRecord("pairing", "K1", "one", Optional.of(at(60)));
        store.putRecord("pairing", "K2", "two", Optional.of(at(60)));

        assertThat(store.takeRecord("pairing", "K1", at(10))).contains("one");
        assertThat(store.takeRecord("pairing", "K1", at(10))).isEmpty();
        assertThat(store.record("pairing", "K1", at(10))).isEmpty();
        assertThat(store.takeRecord("pairing", "K2", at(60))).isEmpty();
        assertThat(store.takeRecord("pairing", "missing", at(0))).isEmpty();
        // The expired one stays for purge (or a delete).
        assertThat(store.deleteRecord("pairing", "K2")).isTrue();
    }

    @Test
    void deleteRecordSaysWhetherThereWasOne() {
        Store store = store();
        store.putRecord("pairing", "K1", "one", Optional.empty());

        assertThat(store.deleteRecord("pairing", "K1")).isTrue();
        assertThat(store.deleteRecord("pairing", "K1")).isFalse();
        assertThat(store.deleteRecord("other", "K1")).isFalse();
        assertThat(store.records("pairing", at(0))).isEmpty();
    }

    @Test
    void ofConcurrentTakesOfOneRecordExactlyOneGetsIt() throws Exception {
        Store store = store();
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                String key = "K" + round;
                store.putRecord("pairing", key, "v" + round, Optional.of(at(60)));
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<Optional<String>>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.takeRecord("pairing", key, at(1));
                    }));
                }
                start.countDown();
                List<String> taken = new ArrayList<>();
                for (java.util.concurrent.Future<Optional<String>> result : results) {
                    result.get(60, java.util.concurrent.TimeUnit.SECONDS).ifPresent(taken::add);
                }
                assertThat(taken).containsExactly("v" + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ofConcurrentInsertsOfOneKeyExactlyOneWins() throws Exception {
        Store store = store();
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String value = "v" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.insertRecord("pairing", "K", value, Optional.of(at(60)), at(1));
                }));
            }
            start.countDown();
            int won = 0;
            for (java.util.concurrent.Future<Boolean> result : results) {
                if (result.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    won++;
                }
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void purgeRemovesExpiredRecordsOnly() {
        Store store = store();
        store.putRecord("pairing", "K1", "one", Optional.of(at(60)));
        store.putRecord("pairing", "K2", "two", Optional.of(at(120)));
        store.putRecord("pairing", "K3", "forever", Optional.empty());

        assertThat(store.purge(at(60))).isEqualTo(1);
        assertThat(store.deleteRecord("pairing", "K1")).isFalse();
        assertThat(store.records("pairing", at(60)))
                .extracting(StoredRecord::key)
                .containsExactly("K2", "K3");
    }

    // ---------------------------------------------------------------- outbox

    @Test
    void anOutboxRecordsPartsAndTheirProgressUntilTheEntryIsDone() {
        Store store = store();
        InboxEntry entry =
                store.accept(List.of(message("SM1", ALICE_SMS)), at(0)).get(0).orElseThrow();
        long seq = entry.sequence();
        assertThat(store.outbox(seq)).isEmpty();

        store.recordParts(seq, 0, List.of("first part", "second part ✓"));
        store.recordParts(seq, 1, List.of("an extra message"));
        // Recorded again (a resumed turn): left as it is.
        store.recordParts(seq, 0, List.of("other", "texts"));
        store.partSending(seq, 0, 0, at(1));
        store.partAccepted(seq, 0, 0, "SMp1");
        store.partSending(seq, 0, 1, at(2));
        // A late attempt mark of an accepted part changes nothing.
        store.partSending(seq, 0, 0, at(3));

        assertThat(store.outbox(seq))
                .containsExactly(
                        new OutboxPart(
                                seq,
                                0,
                                0,
                                "first part",
                                OutboxPart.State.ACCEPTED,
                                Optional.of("SMp1"),
                                Optional.of(at(1))),
                        new OutboxPart(
                                seq,
                                0,
                                1,
                                "second part ✓",
                                OutboxPart.State.SENDING,
                                Optional.empty(),
                                Optional.of(at(2))),
                        new OutboxPart(
                                seq,
                                1,
                                0,
                                "an extra message",
                                OutboxPart.State.PENDING,
                                Optional.empty(),
                                Optional.empty()));
        assertThat(store.outbox(seq + 1000)).isEmpty();

        store.done(entry, at(4));
        assertThat(store.outbox(seq)).isEmpty();
    }

    // ---------------------------------------------------------------- outbound cap

    @Test
    void aChargeIsAdmittedWhileTheWindowStaysWithinTheCap() {
        Store store = store();
        Instant hourAgo = at(3600).minus(Duration.ofHours(1));

        OutboundCharge first = store.charge(ALICE_SMS, at(0), 3, 5, at(0).minus(Duration.ofHours(1)));
        assertThat(first.admitted()).isTrue();
        assertThat(first.chargedBefore()).isZero();
        OutboundCharge second = store.charge(ALICE_SMS, at(10), 2, 5, at(10).minus(Duration.ofHours(1)));
        assertThat(second.admitted()).isTrue();
        assertThat(second.chargedBefore()).isEqualTo(3);
        assertThat(store.charge(ALICE_SMS, at(20), 1, 5, at(20).minus(Duration.ofHours(1))))
                .isEqualTo(new OutboundCharge(false, 5, 0));
        // Another person, another channel: their own windows.
        assertThat(store.charge(BOB_SMS, at(20), 5, 5, at(20).minus(Duration.ofHours(1)))
                        .admitted())
                .isTrue();
        assertThat(store.charge(ALICE_WHATSAPP, at(20), 1, 5, at(20).minus(Duration.ofHours(1)))
                        .admitted())
                .isTrue();

        // A refund gives its cost back; an hour on, the first charge has left the window.
        store.refund(second.id());
        assertThat(store.charge(ALICE_SMS, at(30), 2, 5, at(30).minus(Duration.ofHours(1)))
                        .admitted())
                .isTrue();
        OutboundCharge later = store.charge(ALICE_SMS, at(3600), 3, 5, hourAgo);
        assertThat(later.admitted()).isTrue();
        assertThat(later.chargedBefore()).isEqualTo(2);
    }

    @Test
    void concurrentChargesNeverLetMoreThanTheCapThrough() throws Exception {
        Store store = store();
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int admitted = 0;
                    for (int i = 0; i < 10; i++) {
                        if (store.charge(ALICE_SMS, at(i), 1, 25, at(0).minus(Duration.ofHours(1)))
                                .admitted()) {
                            admitted++;
                        }
                    }
                    return admitted;
                }));
            }
            start.countDown();
            int total = 0;
            for (java.util.concurrent.Future<Integer> result : results) {
                total += result.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(25);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- delivery reports

    static DeliveryReceipt report(String messageId, DeliveryStatus status, Optional<String> code, Instant at) {
        return new DeliveryReceipt(messageId, SMS, ALICE, status, code, at);
    }

    @Test
    void theFurthestReportOfEachMessageIsKept() {
        Store store = store();
        store.recordReceipt(report("SMa", DeliveryStatus.SENT, Optional.empty(), at(1)));
        store.recordReceipt(report("SMa", DeliveryStatus.DELIVERED, Optional.empty(), at(3)));
        // Late and behind: changes nothing.
        store.recordReceipt(report("SMa", DeliveryStatus.SENT, Optional.empty(), at(4)));
        store.recordReceipt(report("SMb", DeliveryStatus.UNDELIVERED, Optional.of("30003"), at(2)));

        assertThat(store.receipts(SMS, List.of("SMa", "SMb", "SMc")))
                .containsExactlyInAnyOrder(
                        report("SMa", DeliveryStatus.DELIVERED, Optional.empty(), at(3)),
                        report("SMb", DeliveryStatus.UNDELIVERED, Optional.of("30003"), at(2)));
        assertThat(store.receipts(WHATSAPP, List.of("SMa"))).isEmpty();
        assertThat(store.receipts(SMS, List.of())).isEmpty();
    }

    @Test
    void reportsOfManyMessagesAreReadTogether() {
        Store store = store();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add("SM" + i);
            store.recordReceipt(report("SM" + i, DeliveryStatus.DELIVERED, Optional.empty(), at(i)));
        }

        assertThat(store.receipts(SMS, ids)).hasSize(250);
    }

    @Test
    void reportsArePurgedAfterTheDedupeRetention() {
        Duration hour = Duration.ofHours(1);
        Store store = store(new StoreSettings(hour, hour, 100));
        store.recordReceipt(report("SMa", DeliveryStatus.DELIVERED, Optional.empty(), at(0)));
        store.recordReceipt(report("SMb", DeliveryStatus.DELIVERED, Optional.empty(), at(1800)));

        assertThat(store.purge(at(3600))).isEqualTo(1);
        assertThat(store.receipts(SMS, List.of("SMa", "SMb")))
                .extracting(DeliveryReceipt::messageId)
                .containsExactly("SMb");
    }

    // ---------------------------------------------------------------- purge

    @Test
    void purgeForgetsWhatIsPastItsRetentionAndKeepsTheRest() {
        Duration hour = Duration.ofHours(1);
        Store store = store(new StoreSettings(hour, hour.multipliedBy(2), 100));
        store.accept(List.of(message("SM1", ALICE_SMS, "one", at(0)), message("SM2", BOB_SMS, "two", at(0))), at(0));
        store.record(outbound(ALICE_SMS, "reply", at(600), "SMo1"));
        store.claimFire("daily", at(0), "a", at(0));
        store.lease(ALICE_SMS, "a", at(0), Duration.ofSeconds(60));
        store.lease(BOB_SMS, "a", at(0), hour.multipliedBy(5));
        store.optOut(CAROL_SMS, at(0));
        store.recordInbound(ALICE_SMS, at(0));

        // Alice's lease expired; Bob's is live.
        assertThat(store.purge(at(1800))).isEqualTo(1);
        assertThat(store.lease(BOB_SMS, "b", at(1800), hour)).isFalse();

        // The dedupe records and the schedule claim are an hour old.
        assertThat(store.purge(at(3600))).isEqualTo(3);
        assertThat(store.purge(at(3600))).isZero();
        assertThat(store.claimFire("daily", at(0), "b", at(3600))).isTrue();

        // The two inbound lines are two hours old, the reply is not yet; the new claim is an hour old.
        assertThat(store.purge(at(7200))).isEqualTo(3);
        assertThat(store.history(ALICE_SMS, 10)).extracting(HistoryEntry::text).containsExactly("reply");
        assertThat(store.history(BOB_SMS, 10)).isEmpty();
        assertThat(store.conversations(10))
                .extracting(ConversationSummary::conversation)
                .containsExactly(ALICE_SMS);

        // Entries not yet done, opt-outs and windows are never purged.
        assertThat(ids(store.pending(ALICE_SMS, 10))).containsExactly("SM1");
        assertThat(ids(store.pending(BOB_SMS, 10))).containsExactly("SM2");
        assertThat(store.isOptedOut(CAROL_SMS)).isTrue();
        assertThat(store.lastInbound(ALICE_SMS)).contains(at(0));
    }

    @Test
    void purgeOfAnEmptyStoreRemovesNothing() {
        assertThat(store().purge(at(0))).isZero();
    }
}
