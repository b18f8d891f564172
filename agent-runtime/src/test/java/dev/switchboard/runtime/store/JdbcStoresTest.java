package dev.switchboard.runtime.store;

import static dev.switchboard.runtime.store.StoreContractTest.ALICE_SMS;
import static dev.switchboard.runtime.store.StoreContractTest.BOB_SMS;
import static dev.switchboard.runtime.store.StoreContractTest.at;
import static dev.switchboard.runtime.store.StoreContractTest.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** Opening JDBC stores: URLs, data sources, failures that name what failed, and many writers at once. */
class JdbcStoresTest {

    private static final String SECRET = "s3cr3t-pa55";

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

    // ---------------------------------------------------------------- URLs

    @Test
    void anotherDatabasesUrlIsRefusedNamingItWithoutCredentials() {
        assertThatThrownBy(() -> JdbcStores.open(
                        "jdbc:mysql://admin:" + SECRET + "@db.example:3306/app?password=" + SECRET,
                        "admin",
                        SECRET,
                        StoreSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:mysql://db.example:3306/app")
                .hasMessageContaining("jdbc:sqlite:PATH")
                .message()
                .doesNotContain(SECRET);
    }

    @Test
    void aSqliteDatabaseInMemoryIsRefused() {
        assertThatThrownBy(() -> JdbcStores.open("jdbc:sqlite::memory:", null, null, StoreSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Store.inMemory()");
    }

    @Test
    void anUnreachablePostgresFailsWithinSecondsNamingTheUrlWithoutThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/switchboard?user=sb&password=" + SECRET;

        long start = System.nanoTime();
        assertThatThrownBy(() -> JdbcStores.open(url, "sb", SECRET, StoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("could not connect to postgresql://127.0.0.1:" + closedPort + "/switchboard: ")
                .message()
                .doesNotContain(SECRET)
                .doesNotContain("\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aMissingPostgresDatabaseFailsNamingTheUrl() {
        String url = postgres.url("no_such_database");

        assertThatThrownBy(() -> JdbcStores.open(url, PostgresFixture.USER, SECRET, StoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("postgresql://localhost:" + postgres.port() + "/no_such_database")
                .hasMessageContaining("no_such_database\" does not exist")
                .message()
                .doesNotContain(SECRET);
    }

    @Test
    void aSqliteFileInAMissingDirectoryFailsNamingTheUrl() {
        Path file = directory.resolve("missing").resolve("switchboard.db");

        assertThatThrownBy(() -> JdbcStores.open("jdbc:sqlite:" + file, null, null, StoreSettings.defaults()))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("could not connect to sqlite:" + file + ": ");
    }

    @Test
    void describeNamesTheDatabaseWithoutCredentials() {
        Path file = directory.resolve("switchboard.db");
        String database = postgres.newDatabase();

        try (Store sqlite = JdbcStores.open("jdbc:sqlite:" + file, null, null, StoreSettings.defaults());
                Store pg = JdbcStores.open(
                        database + "?user=postgres&password=" + SECRET, null, null, StoreSettings.defaults())) {
            assertThat(sqlite.describe()).isEqualTo("sqlite:" + file);
            assertThat(sqlite.durable()).isTrue();
            assertThat(pg.describe()).isEqualTo(database.substring("jdbc:".length()));
            assertThat(pg.describe()).startsWith("postgresql://localhost:").doesNotContain(SECRET);
        }
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aPostgresThatGoesDownFailsEachCallWithinSeconds() throws Exception {
        String database = postgres.newDatabase();
        String name = database.substring(database.lastIndexOf('/') + 1);
        try (TcpProxy proxy = new TcpProxy(postgres.port());
                Store store = JdbcStores.open(
                        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + name,
                        PostgresFixture.USER,
                        SECRET,
                        StoreSettings.defaults())) {
            assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(0)).get(0))
                    .isPresent();

            proxy.stop();

            // The pooled connections break at once; then a call waits for a new one, in vain.
            List<String> failures = new ArrayList<>();
            while (failures.stream().noneMatch(failure -> failure.contains("Connection is not available"))) {
                assertThat(failures).hasSizeLessThan(10);
                long start = System.nanoTime();
                assertThatThrownBy(() ->
                                store.accept(List.of(message("SM2", ALICE_SMS, "a body nobody may log", at(1))), at(1)))
                        .isInstanceOf(StoreException.class)
                        .hasMessageStartingWith("could not accept 1 message: ")
                        .satisfies(e -> failures.add(e.getMessage()))
                        .message()
                        .doesNotContain("a body nobody may log")
                        .doesNotContain(SECRET)
                        .doesNotContain("\n");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
            assertThat(failures.get(failures.size() - 1)).contains("127.0.0.1:" + proxy.port() + " refused");
        }
    }

    @Test
    void aFailedAcceptOnSqliteChangesNothing() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("failing.db");
        try (Store store = JdbcStores.open(url, null, null, StoreSettings.defaults())) {
            assertFailedAcceptChangesNothing(store, url, "");
        }
    }

    @Test
    void aFailedAcceptOnPostgresChangesNothing() throws Exception {
        String url = postgres.newDatabase();
        try (Store store = JdbcStores.open(url, PostgresFixture.USER, null, StoreSettings.defaults())) {
            assertFailedAcceptChangesNothing(store, url, PostgresFixture.USER);
        }
    }

    /** The history table is away: each message's dedupe record and inbox entry must roll back with it. */
    private static void assertFailedAcceptChangesNothing(Store store, String url, String user) throws Exception {
        List<InboundMessage> batch =
                List.of(message("SM1", ALICE_SMS, "first private body", at(0)), message("SM2", BOB_SMS));
        execute(url, user, "ALTER TABLE sb_history RENAME TO sb_history_away");

        assertThatThrownBy(() -> store.accept(batch, at(0)))
                .isInstanceOf(StoreException.class)
                .hasMessageStartingWith("could not accept 2 messages: ")
                .hasMessageContaining("sb_history")
                .message()
                .doesNotContain("first private body");
        assertThat(store.pending(ALICE_SMS, 10)).isEmpty();

        execute(url, user, "ALTER TABLE sb_history_away RENAME TO sb_history");
        assertThat(store.accept(batch, at(1)))
                .allSatisfy(entry -> assertThat(entry).isPresent());
    }

    private static void execute(String url, String user, String sql) throws Exception {
        try (Connection connection = java.sql.DriverManager.getConnection(url, user, "");
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Test
    void postgresKeepsATextWithANulCharacter() {
        try (Store store =
                JdbcStores.open(postgres.newDatabase(), PostgresFixture.USER, null, StoreSettings.defaults())) {
            store.accept(List.of(message("SM1", ALICE_SMS, "before\u0000after", at(0))), at(0));

            assertThat(store.pending(ALICE_SMS, 10).get(0).message().text()).isEqualTo("before\uFFFDafter");
            assertThat(store.history(ALICE_SMS, 10).get(0).text()).isEqualTo("before\uFFFDafter");
        }
    }

    @Test
    void aSqliteStoreFromAUrlPutsItsDatabaseInWalMode() throws Exception {
        String url = "jdbc:sqlite:" + directory.resolve("wal.db");
        try (Store store = JdbcStores.open(url, null, null, StoreSettings.defaults());
                Connection connection = java.sql.DriverManager.getConnection(url);
                java.sql.Statement statement = connection.createStatement();
                java.sql.ResultSet mode = statement.executeQuery("PRAGMA journal_mode")) {
            assertThat(store.durable()).isTrue();
            assertThat(mode.next()).isTrue();
            assertThat(mode.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    // ---------------------------------------------------------------- the application's data source

    @Test
    void aStoreOnTheApplicationsPoolLeavesItOpen() {
        String url = postgres.newDatabase();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(PostgresFixture.USER);
        config.setMaximumPoolSize(2);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (Store store = JdbcStores.open(pool, StoreSettings.defaults())) {
                assertThat(store.describe()).isEqualTo(url.substring("jdbc:".length()));
                assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(0))
                                .get(0))
                        .isPresent();
            }
            assertThat(pool.isClosed()).isFalse();
            try (Store again = JdbcStores.open(pool, StoreSettings.defaults())) {
                assertThat(again.pending(ALICE_SMS, 10)).hasSize(1);
            }
        }
    }

    @Test
    void aStoreOnASqliteDataSource() {
        Path file = directory.resolve("app.db");
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + file);

        try (Store store = JdbcStores.open(dataSource, StoreSettings.defaults())) {
            assertThat(store.describe()).isEqualTo("sqlite:" + file);
            assertThat(store.accept(List.of(message("SM1", ALICE_SMS)), at(0)).get(0))
                    .isPresent();
            assertThat(store.pending(ALICE_SMS, 10)).hasSize(1);
        }
    }

    @Test
    void aDataSourceOfAnotherDatabaseIsRefusedNamingIt() {
        DatabaseMetaData metadata = proxy(DatabaseMetaData.class, Map.of("getDatabaseProductName", "H2"));
        Connection connection = proxy(Connection.class, Map.of("getMetaData", metadata));
        DataSource dataSource = proxy(DataSource.class, Map.of("getConnection", connection));

        assertThatThrownBy(() -> JdbcStores.open(dataSource, StoreSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("H2")
                .hasMessageContaining("SQLite or PostgreSQL");
    }

    /** A stand-in whose named methods answer these values, and every other does nothing. */
    private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> answers.get(method.getName())));
    }

    @Test
    void aStoreOnADataSourceNeedsNoHikariCp() throws Exception {
        Path file = directory.resolve("nohikari.db");
        try (URLClassLoader loader = classPathWithout("HikariCP")) {
            assertThatThrownBy(() -> loader.loadClass("com.zaxxer.hikari.HikariConfig"))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> settingsType = loader.loadClass(StoreSettings.class.getName());
            Object settings = settingsType.getMethod("defaults").invoke(null);
            Class<?> stores = loader.loadClass(JdbcStores.class.getName());
            Class<?> storeType = loader.loadClass(Store.class.getName());
            Object dataSource = loader.loadClass(SQLiteDataSource.class.getName())
                    .getConstructor()
                    .newInstance();
            dataSource.getClass().getMethod("setUrl", String.class).invoke(dataSource, "jdbc:sqlite:" + file);

            Object store =
                    stores.getMethod("open", DataSource.class, settingsType).invoke(null, dataSource, settings);
            try {
                assertThat(storeType.getMethod("describe").invoke(store)).isEqualTo("sqlite:" + file);
                assertThat(storeType.getMethod("purge", Instant.class).invoke(store, at(0)))
                        .isEqualTo(0);
            } finally {
                storeType.getMethod("close").invoke(store);
            }

            assertThatThrownBy(() -> stores.getMethod("open", String.class, String.class, String.class, settingsType)
                            .invoke(null, "jdbc:sqlite:" + file, null, null, settings))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("com.zaxxer:HikariCP");
        }
    }

    @Test
    void aMissingDriverIsNamedByItsMavenArtifact() throws Exception {
        try (URLClassLoader loader = classPathWithout("sqlite-jdbc")) {
            Class<?> settingsType = loader.loadClass(StoreSettings.class.getName());
            Object settings = settingsType.getMethod("defaults").invoke(null);
            Class<?> stores = loader.loadClass(JdbcStores.class.getName());

            assertThatThrownBy(() -> stores.getMethod("open", String.class, String.class, String.class, settingsType)
                            .invoke(null, "jdbc:sqlite:" + directory.resolve("x.db"), null, null, settings))
                    .isInstanceOf(InvocationTargetException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("org.xerial:sqlite-jdbc");
        }
    }

    /** This test's class path less the jars whose path contains {@code excluded}, over the JDK alone. */
    private static URLClassLoader classPathWithout(String excluded) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && !entry.contains(excluded)) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    // ---------------------------------------------------------------- many writers

    private static final int THREADS = 8;
    private static final int OWN_IDS = 20;
    private static final int SHARED_IDS = 40;
    private static final int BATCH = 5;

    @Test
    void concurrentWritersOnSqliteAcceptEachIdOnce() throws Exception {
        try (Store store =
                JdbcStores.open("jdbc:sqlite:" + directory.resolve("busy.db"), null, null, StoreSettings.defaults())) {
            assertEachIdAcceptedOnce(store);
            assertOneLeaseHolder(store);
        }
    }

    @Test
    void concurrentWritersOnPostgresAcceptEachIdOnce() throws Exception {
        try (Store store =
                JdbcStores.open(postgres.newDatabase(), PostgresFixture.USER, null, StoreSettings.defaults())) {
            assertEachIdAcceptedOnce(store);
            assertOneLeaseHolder(store);
        }
    }

    /**
     * Each thread accepts its own ids and all the shared ones, in its own shuffled order and in
     * batches, across four conversations: every id must be new exactly once in all.
     */
    private static void assertEachIdAcceptedOnce(Store store) throws Exception {
        List<ConversationKey> conversations = List.of(
                new ConversationKey("sms", Address.of("+15551230001")),
                new ConversationKey("sms", Address.of("+15551230002")),
                new ConversationKey("sms", Address.of("+15551230003")),
                new ConversationKey("sms", Address.of("+15551230004")));
        Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                writers.add(threads.submit(() -> {
                    List<Integer> ids = new ArrayList<>();
                    for (int i = 0; i < OWN_IDS; i++) {
                        ids.add(thread * OWN_IDS + i);
                    }
                    for (int i = 0; i < SHARED_IDS; i++) {
                        ids.add(THREADS * OWN_IDS + i);
                    }
                    Collections.shuffle(ids, new Random(thread));
                    start.await(10, TimeUnit.SECONDS);
                    for (int from = 0; from < ids.size(); from += BATCH) {
                        List<InboundMessage> batch = new ArrayList<>();
                        for (int id : ids.subList(from, Math.min(ids.size(), from + BATCH))) {
                            batch.add(message("SM" + id, conversations.get(id % conversations.size())));
                        }
                        List<Optional<InboxEntry>> results = store.accept(batch, at(thread));
                        for (int i = 0; i < batch.size(); i++) {
                            if (results.get(i).isPresent()) {
                                accepted.computeIfAbsent(batch.get(i).id(), k -> new AtomicInteger())
                                        .incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        int total = THREADS * OWN_IDS + SHARED_IDS;
        assertThat(accepted).hasSize(total);
        assertThat(accepted.values())
                .allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
        int pending = 0;
        for (ConversationKey conversation : conversations) {
            List<InboxEntry> entries = store.pending(conversation, 1_000);
            assertThat(entries).extracting(InboxEntry::sequence).isSorted().doesNotHaveDuplicates();
            pending += entries.size();
        }
        assertThat(pending).isEqualTo(total);
    }

    /** Replicas racing for one conversation's lease: one wins. */
    private static void assertOneLeaseHolder(Store store) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String owner = "replica-" + t;
                attempts.add(threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return store.lease(ALICE_SMS, owner, at(100), Duration.ofSeconds(30));
                }));
            }
            int holders = 0;
            for (Future<Boolean> attempt : attempts) {
                holders += attempt.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(holders).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }
}
