package dev.switchboard.runtime.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for a test class (started from Maven jars, no Docker), and a fresh database in
 * it for each store, so that tests never see each other's rows.
 */
final class PostgresFixture implements AutoCloseable {

    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresFixture(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static PostgresFixture start() {
        try {
            return new PostgresFixture(EmbeddedPostgres.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates an empty database and returns its JDBC URL (no credentials in it). */
    String newDatabase() {
        String name = "store_" + databases.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return url(name);
    }

    String url(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    int port() {
        return postgres.getPort();
    }

    EmbeddedPostgres postgres() {
        return postgres;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
