package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's pairing variables: bad values and a missing home number refuse to start, saying why. */
class GatewayPairingSettingsTest {

    @Test
    void aPairingFlagThatIsNeitherTrueNorFalseNamesTheVariableAndTheValue() {
        assertThatThrownBy(() -> Gateway.start(TwilioModeGateway.env("SMS_PAIRING", "yes"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SMS_PAIRING must be true or false: yes");
        assertThatThrownBy(() -> Gateway.start(Map.of("WHATSAPP_PAIRING", "on"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WHATSAPP_PAIRING must be true or false: on");
    }

    @Test
    void pairingWithoutAHomeNumberRefusesToStartAndNamesTheVariableToSet() {
        assertThatThrownBy(() -> Gateway.start(TwilioModeGateway.env("SMS_PAIRING", "true"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pairing is on for channel sms")
                .hasMessageContaining("set SMS_HOME_CHANNEL");
    }

    @Test
    void whatsAppPairingWithoutTheWhatsAppChannelSaysWhatToSet() {
        assertThatThrownBy(() ->
                        Gateway.start(TwilioModeGateway.env("WHATSAPP_PAIRING", "true"), TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("WHATSAPP_PAIRING=true needs the WhatsApp channel: set TWILIO_WHATSAPP_NUMBER");
    }
}
