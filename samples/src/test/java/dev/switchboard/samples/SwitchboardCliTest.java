package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.samples.cli.CliContext;
import dev.switchboard.samples.cli.SwitchboardCli;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against the Twilio stand-in over loopback, with a gateway listening at the webhook
 * URL: {@code doctor}, {@code webhooks configure} and {@code setup}, their output and exit statuses.
 */
class SwitchboardCliTest {

    private static final String GATEWAY = GatewayHarness.GATEWAY;
    private static final String PHONE = "+15557654321";
    private static final String OLD_URL = "https://old.example.com/sms";

    @TempDir
    Path directory;

    private GatewayHarness gateway;
    private TwilioSandbox sandbox;
    private String webhookUrl;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() {
        gateway = GatewayHarness.builder()
                .env("SMS_ALLOWED_USERS", PHONE)
                .runtime(runtime -> runtime.agent(new SilentAgent()))
                .start();
        sandbox = gateway.sandbox();
        webhookUrl = gateway.publicUrl();
        gateway.numberPointedHere();
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private Map<String, String> env() {
        return gateway.liveEnv();
    }

    private int runWithInput(Map<String, String> env, String input, String... args) {
        CliContext context = new CliContext(
                env,
                directory,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                new BufferedReader(new StringReader(input)),
                null);
        return SwitchboardCli.run(args, context);
    }

    private int run(Map<String, String> env, String... args) {
        return runWithInput(env, "", args);
    }

    @Test
    void doctorSaysOkForEachCheckOfAHealthySetupAndExitsZero() {
        assertThat(run(env(), "doctor")).isZero();

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).anyMatch(line -> line.startsWith("ok    credentials"));
        assertThat(lines).anyMatch(line -> line.startsWith("ok    sender"));
        assertThat(lines).anyMatch(line -> line.startsWith("ok    webhook"));
        assertThat(lines).anyMatch(line -> line.startsWith("ok    recent-errors"));
        assertThat(out.toString()).doesNotContain("FAIL").doesNotContain(sandbox.authToken());
    }

    @Test
    void doctorInJsonGivesEveryCheckWithItsStatus() throws Exception {
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);

        assertThat(run(env(), "doctor", "--json")).isEqualTo(1);

        JsonNode checks = new ObjectMapper().readTree(out.toString()).get("checks");
        List<String> names = new ArrayList<>();
        checks.forEach(check -> names.add(check.get("name").asText()));
        assertThat(names).contains("credentials", "sender", "webhook", "recent-errors", "reachability");
        JsonNode webhook = null;
        for (JsonNode check : checks) {
            assertThat(check.get("status").asText()).isIn("ok", "warn", "fail");
            assertThat(check.has("detail")).isTrue();
            assertThat(check.has("fix")).isTrue();
            if (check.get("name").asText().equals("webhook")) {
                webhook = check;
            }
        }
        assertThat(webhook).isNotNull();
        assertThat(webhook.get("status").asText()).isEqualTo("fail");
        assertThat(webhook.get("detail").asText()).contains("url_mismatch");
        assertThat(webhook.get("fix").asText()).isNotBlank();
    }

    @Test
    void doctorNamesWrongCredentialsAndExitsOne() {
        sandbox.refuseCredentials(true);

        assertThat(run(env(), "doctor")).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  credentials").contains("Account SID or Auth Token is wrong");
    }

    @Test
    void doctorNamesAMissingSettingAndExitsTwo() {
        Map<String, String> env = env();
        env.remove("SMS_WEBHOOK_URL");

        assertThat(run(env, "doctor")).isEqualTo(2);

        assertThat(err.toString()).contains("SMS_WEBHOOK_URL");
    }

    @Test
    void anUnknownOptionIsAUsageErrorWithStatusTwo() {
        assertThat(run(env(), "doctor", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("--no-such-option");
    }

    @Test
    void webhooksConfigureShowsTheChangeOnADryRunThenMakesItOnceAndThenChangesNothing() {
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);

        assertThat(run(env(), "webhooks", "configure", "--dry-run")).isZero();
        assertThat(out.toString()).contains("would set").contains(OLD_URL).contains(webhookUrl);
        assertThat(sandbox.updates()).isEmpty();
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(OLD_URL);

        assertThat(run(env(), "webhooks", "configure")).isZero();
        assertThat(out.toString()).contains("changed");
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(webhookUrl);
        int updates = sandbox.updates().size();
        assertThat(updates).isPositive();

        out.getBuffer().setLength(0);
        assertThat(run(env(), "webhooks", "configure")).isZero();
        assertThat(out.toString().lines()).isNotEmpty().allMatch(line -> line.startsWith("unchanged"));
        assertThat(sandbox.updates()).hasSize(updates);
    }

    private Map<String, String> apiOnly() {
        return Map.of("TWILIO_API_BASE_URL", sandbox.baseUrl().toString());
    }

    private String[] setupOptions(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "setup",
                "--non-interactive",
                "--account-sid",
                sandbox.accountSid(),
                "--auth-token",
                sandbox.authToken(),
                "--phone-number",
                GATEWAY,
                "--webhook-url",
                webhookUrl,
                "--allowed-users",
                PHONE));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void setupWritesEnvReadableByItsOwnerOnlyAndConfiguresTheWebhookWhenAsked() throws Exception {
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);

        assertThat(run(apiOnly(), setupOptions("--configure-webhook"))).isZero();

        Path file = directory.resolve(".env");
        assertThat(Files.readAllLines(file))
                .contains(
                        "TWILIO_ACCOUNT_SID=" + sandbox.accountSid(),
                        "TWILIO_AUTH_TOKEN=" + sandbox.authToken(),
                        "TWILIO_PHONE_NUMBER=" + GATEWAY,
                        "SMS_WEBHOOK_URL=" + webhookUrl,
                        "SMS_ALLOWED_USERS=" + PHONE)
                .noneMatch(line -> line.startsWith("TWILIO_API_BASE_URL"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(webhookUrl);
        assertThat(out.toString()).doesNotContain(sandbox.authToken());
    }

    @Test
    void setupNeverOverwritesAnEnvWithoutForce() throws Exception {
        Path file = directory.resolve(".env");
        Files.writeString(file, "KEEP=me\n");

        assertThat(run(apiOnly(), setupOptions())).isEqualTo(2);
        assertThat(Files.readString(file)).isEqualTo("KEEP=me\n");
        assertThat(err.toString()).contains("--force");

        assertThat(run(apiOnly(), setupOptions("--force"))).isZero();
        assertThat(Files.readString(file)).contains("TWILIO_ACCOUNT_SID=");
        // Not asked to: the webhook is left as it was.
        assertThat(sandbox.updates()).isEmpty();
    }

    @Test
    void setupWritesNothingWhenTwilioRefusesTheCredentials() {
        sandbox.refuseCredentials(true);

        assertThat(run(apiOnly(), setupOptions())).isEqualTo(1);

        assertThat(directory.resolve(".env")).doesNotExist();
        assertThat(out.toString()).contains("FAIL  credentials");
        assertThat(err.toString()).contains("not written").doesNotContain(sandbox.authToken());
    }

    @Test
    void setupRefusesAMalformedValueNamingTheOption() {
        String[] args = setupOptions();
        args[4] = "not-a-sid";

        assertThat(run(apiOnly(), args)).isEqualTo(2);

        assertThat(err.toString()).contains("--account-sid").contains("not-a-sid");
        assertThat(directory.resolve(".env")).doesNotExist();
    }

    @Test
    void setupAsksForEachValueAndOffersToConfigureTheWebhook() throws Exception {
        sandbox.numberSmsUrl(GATEWAY, OLD_URL);
        String answers =
                String.join("\n", sandbox.accountSid(), sandbox.authToken(), GATEWAY, webhookUrl, PHONE, "y", "");

        assertThat(runWithInput(apiOnly(), answers, "setup")).isZero();

        assertThat(out.toString()).contains("Account SID").contains("Auth Token (not shown)");
        assertThat(Files.readAllLines(directory.resolve(".env"))).contains("TWILIO_PHONE_NUMBER=" + GATEWAY);
        assertThat(sandbox.numberSmsUrl(GATEWAY)).isEqualTo(webhookUrl);
    }
}
