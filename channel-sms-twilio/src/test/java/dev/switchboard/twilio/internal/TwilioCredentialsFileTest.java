package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.OUR_NUMBER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.channel.Address;
import dev.switchboard.twilio.LogCapture;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioCredentialsFileTest {

    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @TempDir
    Path directory;

    private static String json(String accountSid, String authToken, String phoneNumber) {
        StringBuilder json = new StringBuilder("{");
        append(json, "accountSid", accountSid);
        append(json, "authToken", authToken);
        append(json, "phoneNumber", phoneNumber);
        return json.append("\n}\n").toString();
    }

    private static void append(StringBuilder json, String name, String value) {
        if (value != null) {
            json.append(json.length() > 1 ? "," : "")
                    .append("\n  \"")
                    .append(name)
                    .append("\": \"");
            json.append(value).append('"');
        }
    }

    /** {@code content} in a file only its owner may read, where permissions exist. */
    private Path file(String content) throws IOException {
        return file(content, "rw-------");
    }

    private Path file(String content, String permissions) throws IOException {
        Path file = directory.resolve("twilio.json");
        Files.writeString(file, content);
        if (POSIX) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        }
        return file;
    }

    @Test
    void readsTheAccountAndTheNumber() throws IOException {
        Path file = file(json(ACCOUNT_SID, " " + AUTH_TOKEN + " ", "+1 (555) 123-4567"));

        String logs;
        TwilioCredentialsFile.Contents contents;
        try (LogCapture log = LogCapture.start()) {
            contents = TwilioCredentialsFile.read(file.toString());
            logs = log.text();
        }

        assertThat(contents.credentials().accountSid()).isEqualTo(ACCOUNT_SID);
        assertThat(contents.credentials().authToken()).isEqualTo(AUTH_TOKEN);
        assertThat(contents.phoneNumber()).isEqualTo(Address.of(OUR_NUMBER));
        assertThat(contents.toString()).doesNotContain(AUTH_TOKEN);
        assertThat(logs).doesNotContain("WARN");
    }

    @Test
    void ignoresFieldsItDoesNotKnow() throws IOException {
        Path file = file("{\"accountSid\": \"" + ACCOUNT_SID + "\", \"authToken\": \"" + AUTH_TOKEN
                + "\", \"phoneNumber\": \"" + OUR_NUMBER + "\", \"note\": {\"rotated\": 2026}}");

        assertThat(TwilioCredentialsFile.read(file.toString()).credentials().accountSid())
                .isEqualTo(ACCOUNT_SID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"accountSid", "authToken", "phoneNumber"})
    void refusesAFileWithoutAFieldNamingTheFileAndTheField(String missing) throws IOException {
        Path file = file(json(
                missing.equals("accountSid") ? null : ACCOUNT_SID,
                missing.equals("authToken") ? null : AUTH_TOKEN,
                missing.equals("phoneNumber") ? null : OUR_NUMBER));

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + file + ": no " + missing)
                .hasMessageNotContaining(AUTH_TOKEN);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"accountSid\": null, \"authToken\": \"t\", \"phoneNumber\": \"+15551234567\"} | no accountSid",
                "{\"accountSid\": \"AC1\", \"authToken\": 42, \"phoneNumber\": \"+15551234567\"} | authToken must be a"
                        + " string",
                "{\"accountSid\": \"AC1\", \"authToken\": \"  \", \"phoneNumber\": \"+15551234567\"} | authToken is"
                        + " blank",
                "[\"AC1\", \"token\"] | must hold a JSON object with accountSid, authToken and phoneNumber",
                "'' | empty; it must hold a JSON object with accountSid, authToken and phoneNumber",
            })
    void refusesFieldsOfTheWrongShape(String content, String problem) throws IOException {
        Path file = file(content);

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + file + ": " + problem);
    }

    @Test
    void refusesAMalformedAccountSidWithoutShowingIt() throws IOException {
        Path file = file(json(AUTH_TOKEN, AUTH_TOKEN, OUR_NUMBER));

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + file + ": accountSid must be AC followed by 32 hex digits");
    }

    @Test
    void refusesAPhoneNumberWithoutItsCountryCodeWithoutShowingIt() throws IOException {
        Path file = file(json(ACCOUNT_SID, AUTH_TOKEN, "555 123 4567"));

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + file
                        + ": phoneNumber is not a phone number in E.164 form (+15551234567)");
    }

    @Test
    void refusesATokenPastedAsThePhoneNumberWithoutShowingAnyOfIt() throws IOException {
        String token = "925e4" + "0".repeat(23) + "9cd2";
        Path file = file(json(ACCOUNT_SID, AUTH_TOKEN, token));

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("925e4")
                .hasMessageNotContaining("9cd2");
    }

    @Test
    void refusesBadJsonSayingWhereButNotWhat() throws IOException {
        // A token without its closing quote: the parser's own message would quote it.
        Path file = file("{\"accountSid\": \"" + ACCOUNT_SID + "\",\n \"authToken\": \"" + AUTH_TOKEN + "\n}");

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TWILIO_CREDENTIALS_FILE=" + file + ": not valid JSON (line 2, column ")
                .hasMessageNotContaining(AUTH_TOKEN)
                .hasMessageNotContaining("test-auth")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void refusesTwoValuesForOneFieldAndTextAfterTheObject() throws IOException {
        Path duplicate = file("{\"authToken\": \"a\", \"authToken\": \"b\"}");
        assertThatThrownBy(() -> TwilioCredentialsFile.read(duplicate.toString()))
                .hasMessageStartingWith("TWILIO_CREDENTIALS_FILE=" + duplicate + ": not valid JSON");

        Path trailing = file(json(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER) + "{}");
        assertThatThrownBy(() -> TwilioCredentialsFile.read(trailing.toString()))
                .hasMessageStartingWith("TWILIO_CREDENTIALS_FILE=" + trailing + ": not valid JSON");
    }

    @Test
    void refusesAMissingFileOrADirectory() {
        Path missing = directory.resolve("nowhere.json");

        assertThatThrownBy(() -> TwilioCredentialsFile.read(missing.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + missing + ": no such file");
        assertThatThrownBy(() -> TwilioCredentialsFile.read(directory.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + directory + ": a directory, not a file; name the JSON file in"
                        + " it");
    }

    @Test
    void refusesAFileItMayNotRead() throws IOException {
        assumeTrue(POSIX, "POSIX permissions");
        Path file = file(json(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER), "---------");
        assumeFalse(Files.isReadable(file), "running as a user who reads every file (root)");

        assertThatThrownBy(() -> TwilioCredentialsFile.read(file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TWILIO_CREDENTIALS_FILE=" + file + ": cannot be read (permission denied)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-r--r--", "rw-r-----", "r-----r--"})
    void warnsWhenGroupOrOthersMayReadTheFileAndStillReadsIt(String permissions) throws IOException {
        assumeTrue(POSIX, "POSIX permissions");
        Path file = file(json(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER), permissions);

        String logs;
        TwilioCredentialsFile.Contents contents;
        try (LogCapture log = LogCapture.start()) {
            contents = TwilioCredentialsFile.read(file.toString());
            logs = log.text();
        }

        assertThat(contents.credentials().authToken()).isEqualTo(AUTH_TOKEN);
        assertThat(logs)
                .contains("WARN")
                .contains("TWILIO_CREDENTIALS_FILE=" + file + " can be read by group or others (" + permissions + ")")
                .contains("chmod 600 " + file)
                .doesNotContain(AUTH_TOKEN);
        assertThat(logs.lines().filter(line -> line.contains("WARN"))).hasSize(1);
    }

    @Test
    void saysNothingOfAFileOnlyItsOwnerMayRead() throws IOException {
        assumeTrue(POSIX, "POSIX permissions");
        Path file = file(json(ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER), "r--------");

        String logs;
        try (LogCapture log = LogCapture.start()) {
            TwilioCredentialsFile.read(file.toString());
            logs = log.text();
        }

        assertThat(logs).doesNotContain("WARN");
    }
}
