package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code SMS_WEBHOOK_AUTOCONFIGURE}: the gateway points its number's webhook at its URL when it starts. */
class GatewayWebhookAutoconfigureTest {

    private static final String OLD_URL = "https://old.example.com/sms";
    private static final String WHATSAPP = "+15005550007";

    private TwilioSandbox sandbox;

    @BeforeEach
    void start() {
        sandbox = TwilioSandbox.builder()
                .accountSid(TwilioModeGateway.ACCOUNT_SID)
                .authToken(TwilioModeGateway.TOKEN)
                .senders(Set.of(TwilioModeGateway.GATEWAY, "whatsapp:" + WHATSAPP))
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private Map<String, String> env(String autoconfigure) {
        Map<String, String> env =
                TwilioModeGateway.env("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
        if (autoconfigure != null) {
            env.put("SMS_WEBHOOK_AUTOCONFIGURE", autoconfigure);
        }
        return env;
    }

    @Test
    void pointsTheNumbersWebhookAtItsUrlOnceAndTouchesNothingWhenItIsRight() {
        sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY, OLD_URL);

        try (Gateway gateway = Gateway.start(env("true"), TwilioModeGateway.CONSOLE)) {
            assertThat(gateway.sandbox()).isEmpty();
            assertThat(sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY)).isEqualTo(TwilioModeGateway.PUBLIC_URL);
        }
        int updates = sandbox.updates().size();
        assertThat(updates).isPositive();

        try (Gateway again = Gateway.start(env("true"), TwilioModeGateway.CONSOLE)) {
            assertThat(again.sandbox()).isEmpty();
            assertThat(sandbox.updates()).hasSize(updates);
        }
    }

    @Test
    void theWhatsAppVariableAloneTouchesOnlyTheWhatsAppNumber() {
        sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY, OLD_URL);
        sandbox.numberSmsUrl(WHATSAPP, OLD_URL);
        Map<String, String> env = env(null);
        env.put("TWILIO_WHATSAPP_NUMBER", WHATSAPP);
        env.put("WHATSAPP_WEBHOOK_URL", "https://agent.example.com/webhooks/twilio-whatsapp");
        env.put("WHATSAPP_ALLOWED_USERS", TwilioModeGateway.ALICE);
        env.put("WHATSAPP_WEBHOOK_AUTOCONFIGURE", "true");

        try (Gateway gateway = Gateway.start(env, TwilioModeGateway.CONSOLE)) {
            assertThat(gateway.sandbox()).isEmpty();
            assertThat(sandbox.numberSmsUrl(WHATSAPP)).isEqualTo("https://agent.example.com/webhooks/twilio-whatsapp");
        }
        assertThat(sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY)).isEqualTo(OLD_URL);
    }

    @Test
    void leavesTheWebhookAloneWithoutTheVariable() {
        sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY, OLD_URL);

        try (Gateway gateway = Gateway.start(env(null), TwilioModeGateway.CONSOLE)) {
            assertThat(gateway.sandbox()).isEmpty();
            assertThat(sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY)).isEqualTo(OLD_URL);
        }
        assertThat(sandbox.updates()).isEmpty();
    }

    @Test
    void startsAllTheSameWhenTwilioRefusesTheChange() throws Exception {
        sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY, OLD_URL);
        sandbox.refuseCredentials(true);

        try (Gateway gateway = Gateway.start(env("true"), TwilioModeGateway.CONSOLE)) {
            assertThat(TwilioModeGateway.text(gateway.runtime().port(), 1, "hi"))
                    .isEqualTo(200);
        }
        assertThat(sandbox.numberSmsUrl(TwilioModeGateway.GATEWAY)).isEqualTo(OLD_URL);
    }

    @Test
    void refusesAValueOtherThanTrueOrFalseNamingIt() {
        assertThatThrownBy(() -> Gateway.start(env("yes please"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMS_WEBHOOK_AUTOCONFIGURE must be true or false: yes please");
    }
}
