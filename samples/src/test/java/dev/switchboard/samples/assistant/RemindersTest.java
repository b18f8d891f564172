package dev.switchboard.samples.assistant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reminders kept in real stores: they outlive a restart, and of replicas sharing a store one sends each. */
class RemindersTest {

    private static final Instant START = Instant.parse("2026-12-03T06:00:00Z");
    private static final Address GATEWAY = Address.of("+15005550006");
    private static final Address PERSON = Address.of("+15557654321");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);

    private Store sqlite() {
        return JdbcStores.open("jdbc:sqlite:" + dir.resolve("switchboard.db"), null, null, StoreSettings.defaults());
    }

    @Test
    void aReminderOutlivesARestartAndIsSentOnceWhenDue() {
        Reminder set;
        try (Store store = sqlite()) {
            set = new Reminders(store, clock)
                    .add("sms", GATEWAY, PERSON, START.plus(Duration.ofHours(2)), " water the plants ");
        }
        try (Store store = sqlite()) {
            Reminders reminders = new Reminders(store, clock);
            assertThat(reminders.pending()).containsExactly(set);
            assertThat(set.text()).isEqualTo("water the plants");
            List<Reminder> pushed = new ArrayList<>();
            clock.advance(Duration.ofHours(2).minusMillis(1));
            assertThat(reminders.sweep(pushed::add)).isEmpty();
            clock.advance(Duration.ofMillis(1));
            assertThat(reminders.sweep(pushed::add)).containsExactly(set);
            assertThat(pushed).containsExactly(set);
            assertThat(reminders.sweep(pushed::add)).isEmpty();
            assertThat(reminders.pending()).isEmpty();
        }
    }

    @Test
    void dueRemindersGoSoonestFirstAndLaterOnesWait() {
        try (Store store = sqlite()) {
            Reminders reminders = new Reminders(store, clock);
            Reminder third = reminders.add("sms", GATEWAY, PERSON, START.plus(Duration.ofMinutes(30)), "third");
            Reminder first = reminders.add("sms", GATEWAY, PERSON, START.plus(Duration.ofMinutes(5)), "first");
            Reminder second = reminders.add("whatsapp", GATEWAY, PERSON, START.plus(Duration.ofMinutes(10)), "second");
            assertThat(reminders.pending()).containsExactly(first, second, third);
            clock.advance(Duration.ofMinutes(10));
            List<Reminder> pushed = new ArrayList<>();
            reminders.sweep(pushed::add);
            assertThat(pushed).containsExactly(first, second);
            assertThat(reminders.pending()).containsExactly(third);
        }
    }

    @Test
    void aReminderNotSentWithinTheGraceAfterItWasDueExpires() {
        try (Store store = sqlite()) {
            Reminders reminders = new Reminders(store, clock);
            reminders.add("sms", GATEWAY, PERSON, START.plus(Duration.ofMinutes(5)), "late");
            clock.advance(Duration.ofMinutes(5).plus(Reminders.GRACE));
            assertThat(reminders.sweep(reminder -> {})).isEmpty();
            assertThat(reminders.pending()).isEmpty();
        }
    }

    @Test
    void addRefusesATimePastOrTooFarAndABlankText() {
        try (Store store = sqlite()) {
            Reminders reminders = new Reminders(store, clock);
            assertThatThrownBy(() -> reminders.add("sms", GATEWAY, PERSON, START, "now"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("after now");
            assertThatThrownBy(() -> reminders.add(
                            "sms",
                            GATEWAY,
                            PERSON,
                            START.plus(Reminders.LONGEST).plusSeconds(1),
                            "later"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most 30 days ahead");
            assertThatThrownBy(() -> reminders.add("sms", GATEWAY, PERSON, START.plusSeconds(60), " "))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs a text");
            assertThat(reminders.pending()).isEmpty();
        }
    }

    @Test
    void ofTwoReplicasSweepingOnePostgresAtOnceExactlyOneSendsEachReminder() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE reminders");
            }
            String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/reminders";
            try (Store one = JdbcStores.open(url, "postgres", null, StoreSettings.defaults());
                    Store two = JdbcStores.open(url, "postgres", null, StoreSettings.defaults())) {
                Reminders first = new Reminders(one, clock);
                Reminders second = new Reminders(two, clock);
                List<Reminder> set = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    set.add(first.add("sms", GATEWAY, PERSON, START.plus(Duration.ofMinutes(1 + i % 3)), "r" + i));
                }
                assertThat(second.pending()).containsExactlyInAnyOrderElementsOf(set);
                clock.advance(Duration.ofMinutes(3));

                List<Reminder> pushed = new CopyOnWriteArrayList<>();
                CyclicBarrier together = new CyclicBarrier(2);
                ExecutorService replicas = Executors.newFixedThreadPool(2);
                try {
                    List<Future<List<Reminder>>> sweeps = new ArrayList<>();
                    for (Reminders replica : List.of(first, second)) {
                        Callable<List<Reminder>> sweep = () -> {
                            together.await(10, TimeUnit.SECONDS);
                            return replica.sweep(pushed::add);
                        };
                        sweeps.add(replicas.submit(sweep));
                    }
                    int taken = 0;
                    for (Future<List<Reminder>> sweep : sweeps) {
                        taken += sweep.get(30, TimeUnit.SECONDS).size();
                    }
                    assertThat(taken).isEqualTo(set.size());
                } finally {
                    replicas.shutdownNow();
                }
                assertThat(pushed).containsExactlyInAnyOrderElementsOf(set);
                assertThat(first.pending()).isEmpty();
                assertThat(two.record(Reminders.KIND, set.get(0).id(), clock.instant()))
                        .isEqualTo(Optional.empty());
            }
        }
    }
}
