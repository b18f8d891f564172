package dev.switchboard.runtime;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL started from Maven jars for a test class, with a fresh database on it for each
 * test, so that replicas of one test share a database and tests share nothing. A JUnit extension:
 * {@code @RegisterExtension static final FreshPostgres postgres = new FreshPostgres();} starts the
 * server before the class's tests and stops it after them.
 */
public final class FreshPostgres implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private EmbeddedPostgres postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        postgres = EmbeddedPostgres.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** Creates a new, empty database and gives its JDBC URL (user {@code postgres}, no password). */
    public String newDatabase(String prefix) throws SQLException {
        if (postgres == null) {
            throw new IllegalStateException(
                    "PostgreSQL is not running: register FreshPostgres with @RegisterExtension");
        }
        String name = prefix + "_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name;
    }
}
