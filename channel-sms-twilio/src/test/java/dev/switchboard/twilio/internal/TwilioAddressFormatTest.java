package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioAddressFormatTest {

    @ParameterizedTest
    @ValueSource(strings = {"+1 (555) 123-4567", "+15551234567", " +1-555-123-4567 ", "+1.555.123.4567"})
    void normalisesToE164(String configured) {
        assertThat(TwilioAddressFormat.SMS.normalize("TWILIO_PHONE_NUMBER", configured))
                .isEqualTo(Address.of("+15551234567"));
    }

    @Test
    void normalisesOtherCountries() {
        assertThat(TwilioAddressFormat.SMS.normalize("X", "+44 20 7946 0958")).isEqualTo(Address.of("+442079460958"));
        assertThat(TwilioAddressFormat.SMS.normalize("X", "+49 30 123456")).isEqualTo(Address.of("+4930123456"));
    }

    @Test
    void stripsTheChannelPrefixFromConfiguredEntries() {
        assertThat(TwilioAddressFormat.WHATSAPP.normalize("WHATSAPP_ALLOWED_USERS", "whatsapp:+1 555 123 4567"))
                .isEqualTo(Address.of("+15551234567"));
        assertThat(TwilioAddressFormat.WHATSAPP.normalize("WHATSAPP_ALLOWED_USERS", "WhatsApp:+15551234567"))
                .isEqualTo(Address.of("+15551234567"));
        assertThat(TwilioAddressFormat.WHATSAPP.normalize("WHATSAPP_ALLOWED_USERS", "+15551234567"))
                .isEqualTo(Address.of("+15551234567"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"15551234567", "555-1234", "+1", "+1555", "hello", "+1 800 FLOWERS", "whatsapp:+15551234567"})
    void refusesWhatIsNotAnInternationalNumberNamingTheOptionAndRedactingTheValue(String configured) {
        assertThatThrownBy(() -> TwilioAddressFormat.SMS.normalize("SMS_ALLOWED_USERS", configured))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SMS_ALLOWED_USERS must be a phone number in international form")
                .hasMessageEndingWith(Address.redact(configured.strip()));
    }

    @Test
    void theErrorNeverShowsTheWholeNumber() {
        assertThatThrownBy(() -> TwilioAddressFormat.SMS.normalize("SMS_HOME_CHANNEL", "15551234567"))
                .hasMessageNotContaining("15551234567")
                .hasMessageEndingWith("15551***4567");
    }

    @Test
    void normalisesAList() {
        assertThat(TwilioAddressFormat.SMS.normalizeList("SMS_ALLOWED_USERS", "+1 555 123 4567, ,+15557654321,"))
                .containsExactlyInAnyOrder(Address.of("+15551234567"), Address.of("+15557654321"));
        assertThatThrownBy(() -> TwilioAddressFormat.SMS.normalizeList("SMS_ALLOWED_USERS", "+15551234567,nope"))
                .hasMessageStartingWith("SMS_ALLOWED_USERS ");
    }

    @Test
    void normalisesACollectionWhereABlankEntryIsAnError() {
        assertThat(TwilioAddressFormat.WHATSAPP.normalizeAll(
                        "WHATSAPP_ALLOWED_USERS", List.of("whatsapp:+15557654321", "+1 555 765 4321", "+442079460958")))
                .containsExactlyInAnyOrder(Address.of("+15557654321"), Address.of("+442079460958"));
        assertThatThrownBy(
                        () -> TwilioAddressFormat.SMS.normalizeAll("SMS_ALLOWED_USERS", List.of("+15551234567", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SMS_ALLOWED_USERS must be a phone number");
    }

    @Test
    void addsAndRemovesThePrefixAtTheBoundary() {
        Address person = Address.of("+15557654321");

        assertThat(TwilioAddressFormat.SMS.toTwilio(person)).isEqualTo("+15557654321");
        assertThat(TwilioAddressFormat.WHATSAPP.toTwilio(person)).isEqualTo("whatsapp:+15557654321");
        assertThat(TwilioAddressFormat.SMS.fromTwilio("From", "+15557654321")).isEqualTo(person);
        assertThat(TwilioAddressFormat.WHATSAPP.fromTwilio("From", "whatsapp:+15557654321"))
                .isEqualTo(person);
        assertThat(TwilioAddressFormat.SMS.fromTwilio("From", "12345")).isEqualTo(Address.of("12345"));
    }

    @Test
    void refusesAddressesOfAnotherChannel() {
        assertThatThrownBy(() -> TwilioAddressFormat.SMS.fromTwilio("From", "whatsapp:+15557654321"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("From carries whatsapp:: is another channel's sender pointed at this webhook?");
        assertThatThrownBy(() -> TwilioAddressFormat.WHATSAPP.fromTwilio("From", "+15557654321"))
                .hasMessage("From must start with whatsapp: on this channel: +1555***4321");
        assertThatThrownBy(() -> TwilioAddressFormat.WHATSAPP.fromTwilio("To", "whatsapp:"))
                .hasMessage("To is empty");
    }

    @Test
    void thePrefixIsLowerCase() {
        assertThat(new TwilioAddressFormat("WhatsApp:").prefix()).isEqualTo("whatsapp:");
    }
}
