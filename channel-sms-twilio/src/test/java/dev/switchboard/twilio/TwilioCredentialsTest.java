package dev.switchboard.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TwilioCredentialsTest {

    @Test
    void hidesTheTokenInToString() {
        TwilioCredentials credentials =
                new TwilioCredentials(TwilioTestData.ACCOUNT_SID, "0123456789abcdef0123456789abcdef");

        assertThat(credentials.toString())
                .isEqualTo("TwilioCredentials[accountSid=" + TwilioTestData.ACCOUNT_SID + ", authToken=***]");
    }

    @Test
    void checksTheAccountSidShape() {
        assertThatThrownBy(() -> new TwilioCredentials("SK0123456789abcdef0123456789abcdef", "t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: SK0123…(34 chars)");
        assertThatThrownBy(() -> new TwilioCredentials("AC123", "t"))
                .hasMessage("TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits: AC123");
    }

    @Test
    void refusesABlankToken() {
        assertThatThrownBy(() -> new TwilioCredentials(TwilioTestData.ACCOUNT_SID, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_AUTH_TOKEN cannot be blank");
    }
}
