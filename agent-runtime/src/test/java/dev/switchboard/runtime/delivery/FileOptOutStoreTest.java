package dev.switchboard.runtime.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOptOutStoreTest {

    private static final ConversationKey ALICE_SMS = new ConversationKey("sms", Address.of("+15551230001"));
    private static final ConversationKey ALICE_WHATSAPP = new ConversationKey("whatsapp", Address.of("+15551230001"));
    private static final ConversationKey BOB_SMS = new ConversationKey("sms", Address.of("+15551230002"));

    @TempDir
    Path directory;

    private Path file() {
        return directory.resolve("opt-outs.txt");
    }

    private long lines() throws IOException {
        return Files.readAllLines(file()).stream()
                .filter(line -> !line.startsWith("#"))
                .count();
    }

    @Test
    void keepsOptOutsAcrossARestartPerChannel() {
        OptOutStore store = OptOutStore.file(file());
        store.optOut(ALICE_SMS);
        store.optOut(BOB_SMS);
        store.optIn(BOB_SMS);

        OptOutStore reopened = OptOutStore.file(file());

        assertThat(reopened.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(reopened.isOptedOut(ALICE_WHATSAPP)).isFalse();
        assertThat(reopened.isOptedOut(BOB_SMS)).isFalse();
        assertThat(reopened.toString()).contains("1 opted out").doesNotContain("1230001");
    }

    @Test
    void writesOnlyWhatChanges() throws IOException {
        OptOutStore store = OptOutStore.file(file());
        store.optOut(ALICE_SMS);
        store.optOut(ALICE_SMS);
        store.optIn(BOB_SMS);

        assertThat(lines()).isOne();
    }

    @Test
    void rewritesTheJournalCompactlyOnceItHasGrown() throws IOException {
        FileOptOutStore store = new FileOptOutStore(file(), 4);
        store.optOut(ALICE_SMS);
        for (int i = 0; i < 10; i++) {
            store.optOut(BOB_SMS);
            store.optIn(BOB_SMS);
        }

        assertThat(lines()).isLessThanOrEqualTo(2 + 4 + 1);
        assertThat(Files.exists(directory.resolve("opt-outs.txt.tmp"))).isFalse();
        OptOutStore reopened = OptOutStore.file(file());
        assertThat(reopened.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(reopened.isOptedOut(BOB_SMS)).isFalse();
    }

    @Test
    void keepsAddressesAndChannelIdsOfAnyCharacters() {
        ConversationKey odd = new ConversationKey("my channel\n%", Address.of("user name+tag@example.com\t1"));
        OptOutStore.file(file()).optOut(odd);

        assertThat(OptOutStore.file(file()).isOptedOut(odd)).isTrue();
    }

    @Test
    void ignoresALastLineAWriteLeftUnfinishedAndRepairsTheFile() throws IOException {
        OptOutStore.file(file()).optOut(ALICE_SMS);
        Files.writeString(file(), "out sms %2B1555", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

        OptOutStore reopened = OptOutStore.file(file());

        assertThat(reopened.isOptedOut(ALICE_SMS)).isTrue();
        assertThat(Files.readString(file())).endsWith("\n").doesNotContain("%2B1555\n");
        reopened.optOut(BOB_SMS);
        assertThat(OptOutStore.file(file()).isOptedOut(BOB_SMS)).isTrue();
    }

    @Test
    void refusesAFileWithALineItDidNotWriteNamingTheLine() throws IOException {
        Files.writeString(file(), "# comment\nout sms %2B15551230001\nsomething else\n");

        assertThatThrownBy(() -> OptOutStore.file(file()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file().toString())
                .hasMessageContaining("line 3")
                .hasMessageContaining("fix or remove the line");
    }

    @Test
    void refusesADirectoryThatDoesNotExistNamingIt() {
        Path missing = directory.resolve("nowhere").resolve("opt-outs.txt");

        assertThatThrownBy(() -> OptOutStore.file(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.getParent().toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void anOptOutTheDiskRefusesStillHoldsInThisProcessAndAnOptInIsNotTaken() throws IOException {
        OptOutStore store = OptOutStore.file(file());
        store.optOut(ALICE_SMS);
        // The file replaced by a directory: every later append fails.
        Files.delete(file());
        Files.createDirectory(file());

        assertThatThrownBy(() -> store.optOut(BOB_SMS))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("recording an opt-out for sms:+1555***0002 failed")
                .hasMessageNotContaining("15551230002");
        assertThat(store.isOptedOut(BOB_SMS)).isTrue();
        assertThatThrownBy(() -> store.optIn(ALICE_SMS)).isInstanceOf(UncheckedIOException.class);
        assertThat(store.isOptedOut(ALICE_SMS)).isTrue();
    }

    @Test
    void aChangeAfterAFailedWriteRewritesTheFileRatherThanJoinAPartLine() throws IOException {
        OptOutStore store = OptOutStore.file(file());
        store.optOut(ALICE_SMS);
        Files.delete(file());
        Files.createDirectory(file());
        assertThatThrownBy(() -> store.optOut(BOB_SMS)).isInstanceOf(UncheckedIOException.class);
        // The disk is back, holding part of the line that failed.
        Files.delete(file());
        Files.writeString(file(), "out sms %2B15551230001\nout sms %2B1555");
        ConversationKey carol = new ConversationKey("sms", Address.of("+15551230003"));

        store.optOut(carol);

        OptOutStore reopened = OptOutStore.file(file());
        assertThat(List.of(ALICE_SMS, BOB_SMS, carol)).allMatch(reopened::isOptedOut);
    }

    @Test
    void aNewFileIsTheOwnersOnlyAndARewriteKeepsThePermissionsGiven() throws IOException {
        assumeTrue(directory.getFileSystem().supportedFileAttributeViews().contains("posix"));
        FileOptOutStore store = new FileOptOutStore(file(), 0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-------");

        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r-----"));
        store.optOut(ALICE_SMS);
        store.optIn(ALICE_SMS);

        assertThat(lines()).as("rewritten").isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-r-----");
    }

    @Property(tries = 200)
    void readsBackWhatARandomRunOfChangesLeft(@ForAll("changes") List<Tuple2<Boolean, Integer>> changes)
            throws IOException {
        Path file = Files.createTempFile("opt-outs", ".txt");
        Files.delete(file);
        try {
            FileOptOutStore store = new FileOptOutStore(file, 3);
            Set<ConversationKey> model = new HashSet<>();
            for (Tuple2<Boolean, Integer> change : changes) {
                ConversationKey key = person(change.get2());
                if (change.get1()) {
                    store.optOut(key);
                    model.add(key);
                } else {
                    store.optIn(key);
                    model.remove(key);
                }
            }

            OptOutStore reopened = OptOutStore.file(file);
            for (int i = 0; i < 8; i++) {
                assertThat(reopened.isOptedOut(person(i))).as("person %d", i).isEqualTo(model.contains(person(i)));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Provide
    Arbitrary<List<Tuple2<Boolean, Integer>>> changes() {
        return Arbitraries.integers()
                .between(0, 7)
                .flatMap(n -> Arbitraries.of(true, false).map(out -> Tuple.of(out, n)))
                .list()
                .ofMaxSize(60);
    }

    private static ConversationKey person(int n) {
        return new ConversationKey(n % 2 == 0 ? "sms" : "whatsapp", Address.of("+1555123000" + n / 2));
    }
}
