package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.pairing.PairingSettings;
import dev.switchboard.samples.cli.CliContext;
import dev.switchboard.samples.cli.SwitchboardCli;
import dev.switchboard.samples.sandbox.DevPhone;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pairing end to end, as a newcomer tries it: the sample gateway in sandbox mode with {@code
 * SMS_PAIRING=true}, the dev phone as the home number, strangers texting through the Twilio stand-in
 * with real signed webhooks, and the command line on the same database.
 */
abstract class PairingEndToEndContract {

    static final String GATEWAY = Gateway.SANDBOX_GATEWAY_NUMBER;
    static final String HOME = Gateway.SANDBOX_PHONE;
    static final Pattern CODE = Pattern.compile("APPROVE ([A-Z0-9]{8})");

    @TempDir
    Path directory;

    private Gateway gateway;
    private TwilioSandbox sandbox;
    private DevPhone phone;
    private final Map<String, BlockingQueue<SandboxMessage>> sentTo = new ConcurrentHashMap<>();

    /** The variables that name the database this test uses (a new one for each test). */
    abstract Map<String, String> database();

    @BeforeEach
    void start() {
        Map<String, String> env = new HashMap<>(database());
        env.put("SMS_WEBHOOK_PORT", "0");
        env.put("SWITCHBOARD_ADMIN_PORT", "0");
        env.put("SMS_PAIRING", "true");
        env.put("SWITCHBOARD_AGENT", "echo");
        gateway = Gateway.start(env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        sandbox = gateway.sandbox().orElseThrow();
        phone = gateway.devPhone().orElseThrow();
        sandbox.onMessage(message -> {
            if (message.direction() != SandboxMessage.Direction.INBOUND) {
                sentTo.computeIfAbsent(message.to(), to -> new LinkedBlockingQueue<>())
                        .add(message);
            }
        });
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    DevPhone devPhone() {
        return phone;
    }

    String next(String to) throws InterruptedException {
        SandboxMessage message =
                sentTo.computeIfAbsent(to, t -> new LinkedBlockingQueue<>()).poll(20, TimeUnit.SECONDS);
        assertThat(message).as("a message to %s within 20 s", to).isNotNull();
        return message.body();
    }

    void text(String from, String body) {
        assertThat(sandbox.text(from, GATEWAY, body).webhookStatus()).isEqualTo(200);
    }

    /** The stranger texts, is told the onboarding text, and the home gets the notice: its code. */
    String asks(String stranger) throws InterruptedException {
        text(stranger, "hi, can I talk to your agent?");
        assertThat(next(stranger)).isEqualTo(PairingSettings.DEFAULT_ONBOARDING_MESSAGE);
        String notice = next(HOME);
        assertThat(notice).contains(stranger).contains("DENY ");
        Matcher code = CODE.matcher(notice);
        assertThat(code.find()).as("a code in %s", notice).isTrue();
        return code.group(1);
    }

    /** A push to the person comes next: nothing was sent to them before it. */
    void nothingMoreSentTo(String to) throws InterruptedException {
        gateway.runtime().send("sms", Address.of(to), "marker");
        assertThat(next(to)).isEqualTo("marker");
    }

    int cli(StringWriter out, StringWriter err, String... args) {
        Map<String, String> env = new HashMap<>(database());
        CliContext context = new CliContext(
                env,
                directory,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                new BufferedReader(new StringReader("")),
                null);
        return SwitchboardCli.run(args, context);
    }

    @Test
    void aStrangerApprovedByTheHomePhoneTalksToTheAgent() throws Exception {
        String stranger = "+15551230001";
        String code = asks(stranger);

        assertThat(phone.text("Approve " + code.toLowerCase())).isEqualTo(200);

        assertThat(next(stranger)).isEqualTo(PairingSettings.DEFAULT_APPROVED_MESSAGE);
        assertThat(next(HOME)).contains("approved " + stranger);
        text(stranger, "hello agent");
        assertThat(next(stranger)).isEqualTo("echo: hello agent");
        // The home talks to the agent as before.
        assertThat(phone.text("and me?")).isEqualTo(200);
        assertThat(next(HOME)).isEqualTo("echo: and me?");
    }

    @Test
    void aDenialIsQuietAndWrongCodesLockApprovals() throws Exception {
        String stranger = "+15551230002";
        String code = asks(stranger);

        assertThat(phone.text("DENY " + code)).isEqualTo(200);

        assertThat(next(HOME)).contains("denied " + stranger);
        text(stranger, "please?");
        nothingMoreSentTo(stranger);
        nothingMoreSentTo(HOME);

        String other = "+15551230003";
        String otherCode = asks(other);
        for (int i = 1; i <= 4; i++) {
            assertThat(phone.text("approve WRONG" + i + "ZZ")).isEqualTo(200);
            assertThat(next(HOME)).contains("no request waits with that code");
        }
        assertThat(phone.text("approve WRONG5ZZ")).isEqualTo(200);
        assertThat(next(HOME)).contains("locked until");
        assertThat(phone.text("approve " + otherCode)).isEqualTo(200);
        assertThat(next(HOME)).contains("approvals by text are locked until");
        text(other, "am I in?");
        nothingMoreSentTo(other);
    }

    @Test
    void theCommandLineListsAndApprovesOnTheGatewaysDatabaseAndTheGatewayTellsTheSender() throws Exception {
        String stranger = "+15551230004";
        String code = asks(stranger);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        assertThat(cli(out, err, "pairing", "list")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("sms").contains(stranger).contains(code);

        assertThat(cli(out, err, "pairing", "approve", code.toLowerCase()))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("Approved " + stranger);
        assertThat(next(stranger)).isEqualTo(PairingSettings.DEFAULT_APPROVED_MESSAGE);
        text(stranger, "thanks");
        assertThat(next(stranger)).isEqualTo("echo: thanks");

        StringWriter again = new StringWriter();
        assertThat(cli(out, again, "pairing", "approve", code)).isEqualTo(1);
        assertThat(again.toString()).contains("no request waits with that code");
        StringWriter listed = new StringWriter();
        assertThat(cli(listed, err, "pairing", "list")).isZero();
        assertThat(listed.toString()).contains("No pairing request waits").contains("Approved on sms: " + stranger);
    }
}
