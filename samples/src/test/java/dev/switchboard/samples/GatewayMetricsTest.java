package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The gateway's Prometheus registry shows the runtime's meters as a webhook goes through the sandbox. */
class GatewayMetricsTest {

    private static final String ALICE = "+15551230001";

    @Test
    void aSignedWebhookAndItsReplyShowInThePrometheusText() throws Exception {
        PrometheusMeterRegistry registry = Gateway.prometheusRegistry();
        try (GatewayHarness gateway = GatewayHarness.builder()
                .env("SMS_ALLOW_ALL_USERS", "true")
                .runtime(runtime -> runtime.agent(turn -> Optional.of("got it")).meterRegistry(registry))
                .start()) {
            SignedWebhooks webhooks = gateway.webhooks();
            String sid = SignedWebhooks.newSid();

            assertThat(webhooks.post(webhooks.sms(sid, ALICE, GatewayHarness.GATEWAY, "hello"))
                            .statusCode())
                    .isEqualTo(200);
            assertThat(gateway.nextSent().body()).isEqualTo("got it");
            assertThat(webhooks.post(webhooks.sms(sid, ALICE, GatewayHarness.GATEWAY, "hello"))
                            .statusCode())
                    .as("Twilio's redelivery")
                    .isEqualTo(200);

            List<String> expected = List.of(
                    "switchboard_webhooks_total{channel=\"sms\",outcome=\"accepted\"} 1.0",
                    "switchboard_webhooks_total{channel=\"sms\",outcome=\"duplicate\"} 1.0",
                    "switchboard_sends_total{channel=\"sms\",outcome=\"accepted\"} 1.0",
                    "switchboard_segments_sent_total{channel=\"sms\"} 1.0",
                    "switchboard_turns_seconds_count{channel=\"sms\"} 1",
                    "switchboard_inbox_depth 0.0");
            // The reply reached the stand-in before its send returned and its turn ended.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String text = registry.scrape();
            while (!text.lines().toList().containsAll(expected) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                text = registry.scrape();
            }
            assertThat(text.lines()).containsAll(expected);
            assertThat(text)
                    .contains("# TYPE switchboard_webhooks_total counter")
                    .contains("# TYPE switchboard_turns_seconds summary")
                    .contains("# TYPE switchboard_inbox_depth gauge");
        }
    }
}
