package dev.switchboard.runtime.store;

import static dev.switchboard.runtime.store.StoreContractTest.ALICE_SMS;
import static dev.switchboard.runtime.store.StoreContractTest.at;
import static dev.switchboard.runtime.store.StoreContractTest.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema's versions: created once however many processes open a new database together. */
class JdbcStoreMigrationTest {

    private static final int REPLICAS = 4;

    private static PostgresFixture postgres;

    @TempDir
    Path directory;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresFixture.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Store open(String url) {
        return JdbcStores.open(url, PostgresFixture.USER, null, StoreSettings.defaults());
    }

    private String sqliteUrl() {
        return "jdbc:sqlite:" + directory.resolve("switchboard.db");
    }

    private static Connection connect(String url) throws SQLException {
        return url.startsWith("jdbc:sqlite:")
                ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, PostgresFixture.USER, "");
    }

    private static List<Integer> versions(String url) throws SQLException {
        List<Integer> versions = new ArrayList<>();
        try (Connection connection = connect(url);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT version FROM sb_schema_version ORDER BY version")) {
            while (rows.next()) {
                versions.add(rows.getInt(1));
            }
        }
        return versions;
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection connection = connect(url);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Opens the database from {@link #REPLICAS} threads at once; every open must succeed. */
    private static void openTogether(String url) throws Exception {
        CyclicBarrier start = new CyclicBarrier(REPLICAS);
        ExecutorService threads = Executors.newFixedThreadPool(REPLICAS);
        try {
            List<Future<Store>> stores = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                stores.add(threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return open(url);
                }));
            }
            List<Store> opened = new ArrayList<>();
            try {
                for (Future<Store> store : stores) {
                    opened.add(store.get(30, TimeUnit.SECONDS));
                }
                // Each works on the schema the first one made.
                for (int i = 0; i < opened.size(); i++) {
                    opened.get(i).accept(List.of(message("SM" + i, ALICE_SMS)), at(i));
                }
                assertThat(opened.get(0).pending(ALICE_SMS, 10)).hasSize(REPLICAS);
            } finally {
                opened.forEach(Store::close);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void replicasOpeningANewPostgresDatabaseTogetherMigrateItOnce() throws Exception {
        String url = postgres.newDatabase();

        openTogether(url);

        assertThat(versions(url)).isEqualTo(everyVersion());
    }

    @Test
    void storesOpeningANewSqliteFileTogetherMigrateItOnce() throws Exception {
        String url = sqliteUrl();

        openTogether(url);

        assertThat(versions(url)).isEqualTo(everyVersion());
    }

    @Test
    void aPostgresSchemaANewerApplicationMigratedIsRefused() throws Exception {
        String url = postgres.newDatabase();
        assertNewerSchemaIsRefused(url);
    }

    @Test
    void aSqliteSchemaANewerApplicationMigratedIsRefused() throws Exception {
        assertNewerSchemaIsRefused(sqliteUrl());
    }

    private static void assertNewerSchemaIsRefused(String url) throws SQLException {
        open(url).close();
        int newer = JdbcStore.SCHEMA_VERSION + 1;
        execute(url, "INSERT INTO sb_schema_version (version, applied_at) VALUES (" + newer + ", 0)");

        assertThatThrownBy(() -> open(url))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("version " + newer)
                .hasMessageContaining("newer than this application's (" + JdbcStore.SCHEMA_VERSION + ")")
                .hasMessageContaining("upgrade");
        assertThat(versions(url))
                .isEqualTo(java.util.stream.Stream.concat(everyVersion().stream(), java.util.stream.Stream.of(newer))
                        .toList());
    }

    @Test
    void aReopenedPostgresStoreRemembersAndDoesNotMigrateAgain() throws Exception {
        assertReopenedStoreRemembers(postgres.newDatabase());
    }

    @Test
    void aReopenedSqliteStoreRemembersAndDoesNotMigrateAgain() throws Exception {
        assertReopenedStoreRemembers(sqliteUrl());
    }

    private static void assertReopenedStoreRemembers(String url) throws SQLException {
        try (Store store = open(url)) {
            store.accept(List.of(message("SM1", ALICE_SMS)), at(0));
            store.lease(ALICE_SMS, "replica-1", at(0), Duration.ofSeconds(30));
            store.optOut(StoreContractTest.BOB_SMS, at(0));
        }

        try (Store store = open(url)) {
            assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(1)).get(0))
                    .isEmpty();
            assertThat(store.pending(ALICE_SMS, 10)).hasSize(1);
            assertThat(store.lease(ALICE_SMS, "replica-2", at(1), Duration.ofSeconds(30)))
                    .isFalse();
            assertThat(store.isOptedOut(StoreContractTest.BOB_SMS)).isTrue();
        }
        assertThat(versions(url)).isEqualTo(everyVersion());
    }

    @Test
    void aVersionOneSqliteDatabaseIsMigratedToTheLatestKeepingItsRows() throws Exception {
        assertVersionOneIsMigrated(sqliteUrl());
    }

    @Test
    void aVersionOnePostgresDatabaseIsMigratedToTheLatestKeepingItsRows() throws Exception {
        assertVersionOneIsMigrated(postgres.newDatabase());
    }

    /** Takes a new database back to version 1 (before delivery reports) and opens it again. */
    private static void assertVersionOneIsMigrated(String url) throws SQLException {
        try (Store store = open(url)) {
            store.accept(List.of(message("SM1", ALICE_SMS)), at(0));
        }
        execute(url, "DROP TABLE sb_receipt");
        execute(url, "DROP TABLE sb_outbox");
        execute(url, "DROP TABLE sb_charge");
        execute(url, "DROP TABLE sb_record");
        execute(url, "DELETE FROM sb_schema_version WHERE version > 1");

        try (Store store = open(url)) {
            assertThat(store.pending(ALICE_SMS, 10)).hasSize(1);
            store.recordReceipt(new dev.switchboard.channel.DeliveryReceipt(
                    "SMo",
                    "sms",
                    ALICE_SMS.counterpart(),
                    dev.switchboard.channel.DeliveryStatus.DELIVERED,
                    java.util.Optional.empty(),
                    at(1)));
            assertThat(store.receipts("sms", List.of("SMo"))).hasSize(1);
            store.putRecord("pairing", "K", "v", java.util.Optional.empty());
            assertThat(store.record("pairing", "K", at(1))).contains("v");
        }
        assertThat(versions(url)).isEqualTo(everyVersion());
    }

    /** Each version from 1 to this code's, as a database migrated from nothing records them. */
    private static List<Integer> everyVersion() {
        return java.util.stream.IntStream.rangeClosed(1, JdbcStore.SCHEMA_VERSION)
                .boxed()
                .toList();
    }
}
