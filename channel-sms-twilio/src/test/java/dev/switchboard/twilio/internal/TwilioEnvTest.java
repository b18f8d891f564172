package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioEnvTest {

    @Test
    void readsStrippedValuesAndCountsBlankAsUnset() {
        Map<String, String> env = Map.of("SET", "  value ", "BLANK", " \t", "EMPTY", "");

        assertThat(TwilioEnv.get(env, "SET")).contains("value");
        assertThat(TwilioEnv.get(env, "BLANK")).isEmpty();
        assertThat(TwilioEnv.get(env, "EMPTY")).isEmpty();
        assertThat(TwilioEnv.get(env, "MISSING")).isEmpty();
    }

    @Test
    void readsTrueAndFalseInAnyCase() {
        Map<String, String> env = Map.of("A", "TRUE", "B", " True ", "C", "false", "D", "FaLsE", "E", " ");

        assertThat(TwilioEnv.bool(env, "A")).contains(true);
        assertThat(TwilioEnv.bool(env, "B")).contains(true);
        assertThat(TwilioEnv.bool(env, "C")).contains(false);
        assertThat(TwilioEnv.bool(env, "D")).contains(false);
        assertThat(TwilioEnv.bool(env, "E")).isEmpty();
        assertThat(TwilioEnv.bool(env, "MISSING")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "on", "truee"})
    void refusesAnythingElseNamingTheVariableAndTheValue(String value) {
        assertThatThrownBy(() -> TwilioEnv.bool(Map.of("SMS_ALLOW_ALL_USERS", value), "SMS_ALLOW_ALL_USERS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMS_ALLOW_ALL_USERS must be true or false: " + value);
    }

    @Test
    void theWebhookServerBindsEveryInterfaceOnPort8080WhenNothingIsSet() {
        Map<String, String> blank = new HashMap<>();
        blank.put("SMS_WEBHOOK_HOST", " ");
        blank.put("SMS_WEBHOOK_PORT", "");

        for (Map<String, String> env : List.of(Map.<String, String>of(), blank)) {
            InetSocketAddress address = TwilioEnv.webhookServerAddress(env);

            assertThat(address.getHostString()).isEqualTo("0.0.0.0");
            assertThat(address.getPort()).isEqualTo(8080);
            assertThat(address.isUnresolved()).isTrue();
        }
    }

    @Test
    void theWebhookServerAddressIsTakenStrippedAndLeftUnresolved() {
        InetSocketAddress loopback =
                TwilioEnv.webhookServerAddress(Map.of("SMS_WEBHOOK_HOST", " 127.0.0.1 ", "SMS_WEBHOOK_PORT", " 0 "));
        // A name that would fail to resolve: the server resolves it when it binds, not the channel.
        InetSocketAddress named = TwilioEnv.webhookServerAddress(
                Map.of("SMS_WEBHOOK_HOST", "gateway.invalid", "SMS_WEBHOOK_PORT", "65535"));

        assertThat(loopback).isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 0));
        assertThat(named).isEqualTo(InetSocketAddress.createUnresolved("gateway.invalid", 65535));
        assertThat(TwilioEnv.webhookServerAddress(Map.of("SMS_WEBHOOK_PORT", "9000")))
                .isEqualTo(InetSocketAddress.createUnresolved("0.0.0.0", 9000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "99999", "80.5", " 8o80 ", "2147483648"})
    void refusesAPortThatIsNotAPortNumberNamingTheVariableAndTheValueAsGiven(String value) {
        assertThatThrownBy(() -> TwilioEnv.webhookServerAddress(Map.of("SMS_WEBHOOK_PORT", value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMS_WEBHOOK_PORT must be a port number (0-65535): " + value);
    }
}
