package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The store on the application's own {@code DataSource} (SQLite in a file), and the health component
 * following it: UP while the store answers, DOWN with the reason once the pool is closed under it.
 */
@SpringBootTest(
        classes = SwitchboardApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"SWITCHBOARD_AGENT=echo", "switchboard.sandbox.dev-phone=false"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
class SqliteDataSourceHealthTest {

    @TempDir
    static Path tmp;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> "jdbc:sqlite:" + tmp.resolve("application.db"));
        // As JdbcStores asks of a pool on SQLite: WAL, and waiting for another connection's write.
        registry.add("spring.datasource.hikari.data-source-properties.journal_mode", () -> "WAL");
        registry.add("spring.datasource.hikari.data-source-properties.busy_timeout", () -> "5000");
    }

    @LocalServerPort
    int port;

    @Autowired
    GatewayVariables variables;

    @Autowired
    DataSource dataSource;

    private TwilioSandbox sandbox() {
        return variables.sandbox().orElseThrow();
    }

    private JsonNode switchboardHealth(int expectedStatus) throws Exception {
        HttpResponse<String> health = Webhooks.get(URI.create("http://127.0.0.1:" + port + "/actuator/health"));
        assertThat(health.statusCode()).as(health.body()).isEqualTo(expectedStatus);
        return Webhooks.json(health).path("components").path("switchboard");
    }

    @Test
    @Order(1)
    void theConversationIsKeptInTheApplicationsDatabase() throws Exception {
        sandbox().text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "kept in SQLite");
        Webhooks.awaitSent(sandbox(), Gateway.SANDBOX_PHONE, "echo: kept in SQLite");

        assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        // The database file itself, read apart from the application: the store's tables, and the
        // conversation's history in them.
        List<String> tables = new ArrayList<>();
        long history;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("application.db"))) {
            try (ResultSet rows = connection
                    .createStatement()
                    .executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            try (ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM sb_history")) {
                rows.next();
                history = rows.getLong(1);
            }
        }
        assertThat(tables).contains("sb_inbox", "sb_history");
        assertThat(history).isPositive();
        JsonNode switchboard = switchboardHealth(200);
        assertThat(switchboard.path("status").asText()).isEqualTo("UP");
        assertThat(switchboard.path("details").path("store").asText()).isEqualTo("UP");
    }

    @Test
    @Order(2)
    void healthIsDownWithTheReasonOnceTheDatabaseStopsAnswering() throws Exception {
        ((HikariDataSource) dataSource).close();

        JsonNode switchboard = switchboardHealth(503);
        assertThat(switchboard.path("status").asText()).isEqualTo("DOWN");
        assertThat(switchboard.path("details").path("store").asText()).isEqualTo("DOWN");
        assertThat(switchboard.path("details").path("runtime").asText()).isEqualTo("UP");
        assertThat(switchboard.path("details").path("reasons").toString()).contains("store");
    }
}
