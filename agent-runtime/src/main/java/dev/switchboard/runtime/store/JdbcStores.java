package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Opens durable {@link Store}s on SQLite (one process) or PostgreSQL (any number of replicas sharing
 * the database).
 *
 * <p>The store creates its tables (all named {@code sb_...}) when it opens, and migrates them when a
 * newer version of Switchboard needs it; replicas that start together migrate once. A database whose
 * tables a newer version migrated is refused with a {@link StoreException}: upgrade the application.
 *
 * <p>The JDBC driver is the application's dependency: {@code org.xerial:sqlite-jdbc} or {@code
 * org.postgresql:postgresql}; {@link #open(String, String, String, StoreSettings)} also needs {@code
 * com.zaxxer:HikariCP}, which {@link #open(DataSource, StoreSettings)} does not.
 *
 * <pre>{@code
 * Store store = JdbcStores.open("jdbc:sqlite:switchboard.db", null, null, StoreSettings.defaults());
 * }</pre>
 */
public final class JdbcStores {

    private JdbcStores() {}

    /**
     * Opens a store on the application's own pool (a Spring {@code DataSource}, a HikariCP pool).
     * {@link Store#close()} leaves the pool open: it is the application's to close.
     *
     * <p>On SQLite, the pool's connections should wait for the database's lock ({@code busy_timeout}:
     * sqlite-jdbc waits 3 seconds unless told otherwise), and the database should be in WAL mode
     * ({@code journal_mode=WAL}) so that reads do not wait for writes; the store begins its write
     * transactions {@code IMMEDIATE}, whatever the pool's {@code transaction_mode}.
     *
     * @throws IllegalArgumentException when the database is neither SQLite nor PostgreSQL
     * @throws StoreException when no connection can be had, the schema cannot be migrated, or a newer
     *     application migrated it
     */
    public static Store open(DataSource dataSource, StoreSettings settings) {
        requireNonNull(dataSource, "dataSource");
        requireNonNull(settings, "settings");
        Dialect dialect;
        String description;
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData metadata = connection.getMetaData();
            String product = metadata.getDatabaseProductName();
            dialect = Dialect.ofProductName(product);
            if (dialect == null) {
                throw new IllegalArgumentException(
                        "a store runs on SQLite or PostgreSQL, and this data source's database is " + product);
            }
            String url = metadata.getURL();
            description = url == null ? dialect.scheme() : Dialect.describe(url);
        } catch (SQLException e) {
            throw new StoreException(
                    "could not connect to the store's database: " + JdbcStore.failure(e), JdbcStore.redacted(e));
        }
        return JdbcStore.open(dataSource, dialect, settings, description, null, true);
    }

    /**
     * Opens a store on a database named by its JDBC URL, with a connection pool of its own that
     * {@link Store#close()} closes: {@code jdbc:sqlite:PATH} (the file is created if missing; the
     * user and password are ignored) or {@code jdbc:postgresql://HOST[:PORT]/DATABASE}.
     *
     * <p>A connection is waited for at most 3 seconds and a statement runs at most 5, so that a
     * database that is down fails a webhook's acceptance in time to answer it 503. On SQLite the pool
     * has 4 connections, the database is put in WAL mode with {@code synchronous=NORMAL}, and a
     * connection waits up to 5 seconds for another's write; on PostgreSQL the pool has up to 8.
     *
     * @param user the database user, or {@code null} (ignored by SQLite; may also be in the URL)
     * @param password the password, or {@code null}; never part of a message or a log
     * @throws IllegalArgumentException when the URL is not a SQLite or PostgreSQL one, or names a
     *     SQLite database in memory (use {@link Store#inMemory()})
     * @throws IllegalStateException when the database's JDBC driver or HikariCP is not on the class
     *     path; the message names the Maven artifact to add
     * @throws StoreException when the database cannot be reached (the message names the URL, without
     *     credentials), cannot be migrated, or a newer application migrated it
     */
    public static Store open(String url, String user, String password, StoreSettings settings) {
        requireNonNull(url, "url");
        requireNonNull(settings, "settings");
        String description = Dialect.describe(url);
        Dialect dialect = Dialect.ofUrl(url);
        if (dialect == null) {
            throw new IllegalArgumentException("a store's database URL must be jdbc:sqlite:PATH or"
                    + " jdbc:postgresql://HOST[:PORT]/DATABASE: " + redacted(url));
        }
        if (dialect == Dialect.SQLITE && inMemory(url)) {
            throw new IllegalArgumentException("a SQLite database in memory is not durable, and each pooled"
                    + " connection would have its own; use Store.inMemory(): " + redacted(url));
        }
        require(dialect.driverClass(), "the " + dialect.scheme() + " JDBC driver", dialect.driverArtifact());
        require("com.zaxxer.hikari.HikariDataSource", "HikariCP, the store's connection pool", "com.zaxxer:HikariCP");
        // The only place that touches HikariCP, in a class of its own: the JVM loads it (and HikariCP)
        // only when a store is opened from a URL.
        DataSource pool = Pool.create(url, user, password, dialect, description);
        try {
            // The pool's connections bound every statement themselves (busy_timeout, statement_timeout).
            return JdbcStore.open(pool, dialect, settings, description, (AutoCloseable) pool, false);
        } catch (RuntimeException e) {
            try {
                ((AutoCloseable) pool).close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The URL without credentials, for a message. */
    private static String redacted(String url) {
        return url.regionMatches(true, 0, "jdbc:", 0, 5) ? "jdbc:" + Dialect.describe(url) : Dialect.describe(url);
    }

    private static boolean inMemory(String url) {
        String path = url.substring("jdbc:sqlite:".length());
        int parameters = path.indexOf('?');
        if (parameters >= 0) {
            path = path.substring(0, parameters);
        }
        return path.isEmpty()
                || path.contains(":memory:")
                || url.toLowerCase(Locale.ROOT).contains("mode=memory");
    }

    private static void require(String className, String what, String artifact) {
        try {
            Class.forName(className, false, JdbcStores.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(what + " is not on the class path: add the dependency " + artifact);
        }
    }

    /** The store's own pool; the one class that refers to HikariCP. */
    private static final class Pool {

        static DataSource create(String url, String user, String password, Dialect dialect, String description) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("switchboard-store");
            config.setJdbcUrl(url);
            config.setDriverClassName(dialect.driverClass());
            if (user != null) {
                config.setUsername(user);
            }
            if (password != null) {
                config.setPassword(password);
            }
            // A database that is down fails a call within seconds, well inside Twilio's 15 s.
            config.setConnectionTimeout(3_000);
            config.setValidationTimeout(2_000);
            // Connect once now, so that a wrong URL fails at start rather than at the first webhook.
            config.setInitializationFailTimeout(1);
            switch (dialect) {
                case SQLITE -> {
                    // Writes take the one lock in turn, so more connections would only wait.
                    config.setMaximumPoolSize(4);
                    config.setMinimumIdle(1);
                    // Processes opening a new file at once may find it locked while one of them turns
                    // it to WAL (SQLite answers that at once, without waiting): try again for a while.
                    config.setInitializationFailTimeout(3_000);
                    config.addDataSourceProperty("journal_mode", "WAL");
                    config.addDataSourceProperty("synchronous", "NORMAL");
                    config.addDataSourceProperty("busy_timeout", "5000");
                }
                case POSTGRESQL -> {
                    config.setMaximumPoolSize(8);
                    config.setMinimumIdle(2);
                    config.addDataSourceProperty("connectTimeout", "3");
                    // Every statement bounded by the server, with no timer in the driver per statement.
                    config.setConnectionInitSql("SET statement_timeout = " + JdbcStore.QUERY_TIMEOUT_SECONDS * 1_000);
                    // A server that went silent fails a call after 7 s, just after the statements' 5 s.
                    config.addDataSourceProperty("socketTimeout", "7");
                    // Keep a constraint violation's "Detail: Failing row contains (...)" out of messages.
                    config.addDataSourceProperty("logServerErrorDetail", "false");
                    config.addDataSourceProperty("ApplicationName", "switchboard");
                }
            }
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new StoreException(
                        "could not connect to " + description + ": " + JdbcStore.failure(cause),
                        JdbcStore.redacted(cause));
            }
        }
    }
}
