package dev.switchboard.samples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Pairing end to end with the gateway and the command line on one PostgreSQL database. */
class PairingPostgresEndToEndTest extends PairingEndToEndContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private String url;

    @BeforeAll
    static void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        postgres.close();
    }

    @Override
    Map<String, String> database() {
        if (url == null) {
            String name = "pairing_" + DATABASES.incrementAndGet();
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("could not create database " + name, e);
            }
            url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name;
        }
        return Map.of("SWITCHBOARD_DATABASE_URL", url, "SWITCHBOARD_DATABASE_USER", "postgres");
    }
}
