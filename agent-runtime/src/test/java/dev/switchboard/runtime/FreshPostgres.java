package dev.switchboard.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL started from Maven jars for a test class, with a fresh database on it for each
 * test, so that replicas of one test share a database and tests share nothing.
 */
public final class FreshPostgres implements AutoCloseable {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final EmbeddedPostgres postgres;

    private FreshPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static FreshPostgres start() throws IOException {
        return new FreshPostgres(EmbeddedPostgres.start());
    }

    /** Creates a new, empty database and gives its JDBC URL (user {@code postgres}, no password). */
    public String newDatabase(String prefix) throws SQLException {
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
