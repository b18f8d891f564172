package dev.switchboard.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.samples.spring.app.SwitchboardApplication;
import dev.switchboard.samples.spring.autoconfigure.SwitchboardSettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** With Twilio (an account set), a missing public webhook URL stops the application, naming it. */
class StartupRefusalTest {

    private static Throwable start(String... properties) {
        return catchThrowable(() -> {
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(SwitchboardApplication.class)
                    .properties("server.port=0", "switchboard.sandbox.dev-phone=false")
                    .properties(properties)
                    .run()) {
                throw new AssertionError("the application started: " + context);
            }
        });
    }

    @Test
    void withoutSmsWebhookUrlTheApplicationDoesNotStartAndSaysWhichVariableOrPropertyToSet() {
        Throwable failure = start(
                "TWILIO_ACCOUNT_SID=AC" + "0".repeat(32),
                "TWILIO_AUTH_TOKEN=test-token",
                "TWILIO_PHONE_NUMBER=+15005550006");

        assertThat(failure)
                .isNotInstanceOf(AssertionError.class)
                .extracting(StartupRefusalTest::settingsFailure, InstanceOfAssertFactories.THROWABLE)
                .hasMessageContaining("SMS_WEBHOOK_URL is not set")
                .hasMessageContaining("switchboard.sms.webhook-url")
                .hasMessageNotContaining("test-token");
        assertThat(Path.of("switchboard.db")).as("no database left behind").doesNotExist();
    }

    @Test
    void theAccountBySpringPropertyIsTwilioModeToo() {
        Throwable failure = start(
                "switchboard.twilio.account-sid=AC" + "0".repeat(32),
                "switchboard.twilio.auth-token=test-token",
                "switchboard.twilio.phone-number=+15005550006");

        assertThat(settingsFailure(failure)).hasMessageContaining("SMS_WEBHOOK_URL");
    }

    @Test
    void aBadAgentNameIsRefusedNamingTheVariable() {
        Throwable failure = start("SWITCHBOARD_AGENT=parrot");

        assertThat(settingsFailure(failure))
                .hasMessageContaining("SWITCHBOARD_AGENT must be one of demo, echo, silent, recall, assistant: parrot")
                .hasMessageContaining("switchboard.agent");
    }

    @Test
    void aDatabaseFileThatCannotBeOpenedIsRefused() throws Exception {
        Path notADirectory = Files.createTempFile("switchboard", ".txt");
        try {
            Throwable failure = start("spring.datasource.url=jdbc:sqlite:" + notADirectory.resolve("store.db"));

            assertThat(settingsFailure(failure)).hasMessageContaining("spring.datasource.url");
        } finally {
            Files.delete(notADirectory);
        }
    }

    private static Throwable settingsFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SwitchboardSettingsException) {
                return cause;
            }
        }
        throw new AssertionError("no SwitchboardSettingsException in the failure", failure);
    }
}
