package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.GatewayVariables;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The store on the application's PostgreSQL {@code DataSource}: the conversation lands in its database. */
@SpringBootTest(
        classes = SwitchboardApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"SWITCHBOARD_AGENT=echo", "switchboard.sandbox.dev-phone=false"})
@DirtiesContext
class PostgresDataSourceTest {

    private static EmbeddedPostgres postgres;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws IOException {
        postgres = EmbeddedPostgres.start();
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        registry.add("spring.datasource.username", () -> "postgres");
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    GatewayVariables variables;

    @Autowired
    DataSource dataSource;

    @Test
    void theConversationIsKeptInTheApplicationsPostgresDatabaseAndHealthIsUp() throws Exception {
        TwilioSandbox sandbox = variables.sandbox().orElseThrow();

        sandbox.text(Gateway.SANDBOX_PHONE, Gateway.SANDBOX_GATEWAY_NUMBER, "kept in PostgreSQL");
        Webhooks.awaitSent(sandbox, Gateway.SANDBOX_PHONE, "echo: kept in PostgreSQL");

        // Read apart from the store, through the application's pool.
        try (Connection connection = dataSource.getConnection();
                ResultSet rows = connection.createStatement().executeQuery("SELECT count(*) FROM sb_history")) {
            rows.next();
            assertThat(rows.getLong(1)).isPositive();
        }
        HttpResponse<String> health = Webhooks.get(URI.create("http://127.0.0.1:" + port + "/actuator/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode components = Webhooks.json(health).path("components");
        assertThat(components.path("switchboard").path("details").path("store").asText())
                .isEqualTo("UP");
        // Boot's own health check of the same pool sits beside it.
        assertThat(components.path("db").path("status").asText()).isEqualTo("UP");
    }
}
