package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentRuntimeBuilderTest {

    private static final Agent SILENT = turn -> Optional.empty();

    @Test
    void requiresAnAgent() {
        assertThatThrownBy(
                        () -> AgentRuntime.builder().channel(FakeChannel.sms()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("agent is required: set agent(...) or asyncAgent(...)");
    }

    @Test
    void requiresAChannel() {
        assertThatThrownBy(() -> AgentRuntime.builder().agent(SILENT).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("at least one channel is required");
    }

    @Test
    void refusesTwoChannelsWithOneId() {
        AgentRuntimeBuilder builder = AgentRuntime.builder().channel(FakeChannel.sms());
        FakeChannel twin = new FakeChannel("sms", "/webhooks/twin", Address.of("+15550000009"));

        assertThatThrownBy(() -> builder.channel(twin))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("channel id sms is used by two channels");
    }

    @Test
    void refusesTwoChannelsOnOnePath() {
        AgentRuntimeBuilder builder = AgentRuntime.builder().channel(FakeChannel.sms());
        FakeChannel rival = new FakeChannel("whatsapp", "/webhooks/test", Address.of("+15550000009"));

        assertThatThrownBy(() -> builder.channel(rival))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route /webhooks/test is claimed by channel sms and by channel whatsapp");
    }

    @Test
    void validatesTheServerAddress() {
        assertThatThrownBy(() -> AgentRuntime.builder().webhookServer("127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webhookServer port must be a port number (0-65535): 65536");
        assertThatThrownBy(() -> AgentRuntime.builder().webhookServer(" ", 80))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webhookServer host cannot be blank");
    }

    @Test
    void bindsWhereTheChannelsEnvironmentConventionsSay() throws Exception {
        FakeChannel channel = FakeChannel.sms().serverVariables("TEST_HOST", "TEST_PORT");
        try (AgentRuntime runtime = AgentRuntime.builder()
                .channel(channel)
                .agent(SILENT)
                .webhookServerFromEnv(Map.of("TEST_HOST", "127.0.0.1", "TEST_PORT", " 0 "))
                .build()
                .start()) {
            assertThat(runtime.localAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/nowhere"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void reportsTheChannelsErrorForABadVariableWhenBuilt() {
        AgentRuntimeBuilder builder = AgentRuntime.builder()
                .channel(FakeChannel.sms().serverVariables("TEST_HOST", "TEST_PORT"))
                .agent(SILENT)
                .webhookServerFromEnv(Map.of("TEST_PORT", "abc"));

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TEST_PORT must be a port number (0-65535): abc");
    }

    @Test
    void refusesChannelsWhoseConventionsDisagree() {
        FakeChannel other = new FakeChannel("other", "/webhooks/other", Address.of("+15550000009"))
                .serverVariables("TEST_HOST", "OTHER_PORT");
        AgentRuntimeBuilder builder = AgentRuntime.builder()
                .channel(FakeChannel.sms().serverVariables("TEST_HOST", "TEST_PORT"))
                .channel(other)
                .agent(SILENT)
                .webhookServerFromEnv(Map.of("TEST_PORT", "9001", "OTHER_PORT", "9002"));

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the environment gives two webhook server addresses: 0.0.0.0:9001 for channel sms and"
                        + " 0.0.0.0:9002 for channel other");
    }

    @Test
    void usesTheDefaultAddressWhereNoChannelHasConventions() {
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(SILENT)
                .webhookServerFromEnv(Map.of("SMS_WEBHOOK_PORT", "abc"))
                .build();

        // Nothing here reads SMS_WEBHOOK_PORT: the runtime knows no provider's variables.
        assertThatThrownBy(runtime::port).hasMessage("the webhook server is not bound yet; call start() first");
        runtime.close();
    }

    @Test
    void validatesDurationsAndSizesCaffeineStyle() {
        AgentRuntimeBuilder builder = AgentRuntime.builder();

        assertThatThrownBy(() -> builder.dedupe(100, Duration.ZERO)).hasMessage("ttl must be positive: PT0S");
        assertThatThrownBy(() -> builder.dedupe(0, Duration.ofHours(1))).hasMessage("maximumSize must be positive: 0");
        assertThatThrownBy(() -> builder.readTimeout(Duration.ofSeconds(-1)))
                .hasMessage("readTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> builder.shutdownTimeout(Duration.ofSeconds(-1)))
                .hasMessage("shutdownTimeout cannot be negative: PT-1S");
        assertThatThrownBy(() -> builder.maxBodyBytes(0)).hasMessage("maxBodyBytes must be positive: 0");
        assertThatThrownBy(() -> builder.agent(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("agent");
    }

    @Test
    void startsOnlyOnce() {
        try (AgentRuntime runtime = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(SILENT)
                .webhookServer("127.0.0.1", 0)
                .build()
                .start()) {
            assertThatThrownBy(runtime::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("runtime was already started");
        }
    }

    @Test
    void reportsNoPortBeforeStart() {
        AgentRuntime runtime =
                AgentRuntime.builder().channel(FakeChannel.sms()).agent(SILENT).build();

        assertThatThrownBy(runtime::port)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the webhook server is not bound yet; call start() first");
        runtime.close();
    }
}
