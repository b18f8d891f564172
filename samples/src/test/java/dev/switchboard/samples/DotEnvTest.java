package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DotEnvTest {

    private static final String SECRET = "s3cret-token-value";

    @TempDir
    Path directory;

    private static Map<String, String> parse(String... lines) {
        return DotEnv.parse(".env", List.of(lines));
    }

    @Test
    void readsKeysAndValuesSkippingCommentsAndBlankLines() {
        Map<String, String> variables = parse(
                "# Twilio",
                "",
                "   ",
                "TWILIO_ACCOUNT_SID=AC0123",
                "  # indented comment",
                "export TWILIO_AUTH_TOKEN=" + SECRET,
                "export\tSMS_WEBHOOK_PORT = 8080 ",
                "EMPTY=",
                "_under_score9=x");

        assertThat(variables)
                .containsExactly(
                        Map.entry("TWILIO_ACCOUNT_SID", "AC0123"),
                        Map.entry("TWILIO_AUTH_TOKEN", SECRET),
                        Map.entry("SMS_WEBHOOK_PORT", "8080"),
                        Map.entry("EMPTY", ""),
                        Map.entry("_under_score9", "x"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "A=\"two words\" | two words",
                "A='two words' | two words",
                "A=\"  kept  \"  | `  kept  `",
                "A=\"\" | ``",
                "A='it has \"double\" quotes' | it has \"double\" quotes",
                "A=\"no $EXPANSION or \\n escapes\" | no $EXPANSION or \\n escapes",
                "A=\"#not a comment\" # a comment | #not a comment",
                "A=value # a comment | value",
                "A=value#fragment | value#fragment",
                "A=https://example.com/x?a=1&b=2 | https://example.com/x?a=1&b=2",
                "A=#leading | #leading",
                "A==equals= | =equals=",
                "export=1 | 1",
            })
    void readsQuotedValuesLiterallyAndCommentsAfterWhitespace(String line, String expected) {
        assertThat(parse(line)).containsExactly(Map.entry(line.startsWith("export") ? "export" : "A", expected));
    }

    @Test
    void aKeyGivenTwiceTakesItsLastValue() {
        assertThat(parse("A=1", "B=2", "A=3")).containsExactly(Map.entry("A", "3"), Map.entry("B", "2"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                SECRET + " | expected KEY=VALUE",
                "export " + SECRET + " | expected KEY=VALUE",
                "=" + SECRET
                        + " | the name before = must be letters, digits and underscores, not starting with a digit",
                "9LIVES=" + SECRET
                        + " | the name before = must be letters, digits and underscores, not starting with a digit",
                "MY-TOKEN=" + SECRET
                        + " | the name before = must be letters, digits and underscores, not starting with a digit",
                "TOKEN=\"" + SECRET + " | the value of TOKEN opens a quote it does not close",
                "TOKEN='" + SECRET + "\" | the value of TOKEN opens a quote it does not close",
                "TOKEN=\"" + SECRET + "\"x | the value of TOKEN goes on after its closing quote",
                "TOKEN='a' '" + SECRET + "' | the value of TOKEN goes on after its closing quote",
            })
    void refusesAMalformedLineNamingTheFileAndTheLineButNotTheValue(String line, String problem) {
        assertThatThrownBy(() -> parse("# first", "OK=1", line))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(".env line 3: " + problem)
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void readsAFileWithWindowsLineEndsAndAByteOrderMark() throws IOException {
        Path file = directory.resolve(".env");
        Files.writeString(file, "\uFEFFA=1\r\n# c\r\nB='2'\r\n", StandardCharsets.UTF_8);

        assertThat(DotEnv.read(file)).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
    }

    @Test
    void theProcessEnvironmentWinsOverTheFile() throws IOException {
        Files.writeString(
                directory.resolve(".env"),
                "TWILIO_AUTH_TOKEN=from-file\nSMS_WEBHOOK_URL=https://file.example.com/hook\nBLANKED=from-file\n");

        Map<String, String> merged = DotEnv.merged(
                directory, Map.of("TWILIO_AUTH_TOKEN", "from-process", "BLANKED", "", "SWITCHBOARD_AGENT", "echo"));

        assertThat(merged)
                .containsOnly(
                        Map.entry("TWILIO_AUTH_TOKEN", "from-process"),
                        Map.entry("SMS_WEBHOOK_URL", "https://file.example.com/hook"),
                        Map.entry("BLANKED", ""),
                        Map.entry("SWITCHBOARD_AGENT", "echo"));
        assertThatThrownBy(() -> merged.put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withoutAFileTheProcessEnvironmentIsAll() {
        assertThat(DotEnv.merged(directory, Map.of("A", "1"))).containsExactly(Map.entry("A", "1"));
    }

    @Test
    void aMalformedFileIsNamedAsTheWorkingDirectoryGivesIt() throws IOException {
        Files.writeString(directory.resolve(".env"), "A=1\n\n" + SECRET + "\n");

        assertThatThrownBy(() -> DotEnv.merged(directory, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(directory.resolve(".env") + " line 3: expected KEY=VALUE")
                .hasMessageNotContaining(SECRET);
        assertThat(Path.of("").resolve(DotEnv.FILE_NAME).toString()).isEqualTo(".env");
    }

    @Test
    void refusesADirectoryOrAFileThatIsNotText() throws IOException {
        Files.createDirectory(directory.resolve(".env"));
        assertThatThrownBy(() -> DotEnv.merged(directory, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(directory.resolve(".env") + " is a directory, not a file of variables");

        Path binary = directory.resolve("binary.env");
        Files.write(binary, new byte[] {'A', '=', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> DotEnv.read(binary))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(binary + " is not UTF-8 text");
    }
}
