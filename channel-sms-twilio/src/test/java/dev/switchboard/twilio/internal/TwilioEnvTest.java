package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
