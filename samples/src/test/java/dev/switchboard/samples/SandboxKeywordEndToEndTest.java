package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.schedule.PushOutcome;
import dev.switchboard.samples.sandbox.DevPhone;
import dev.switchboard.samples.sandbox.SandboxMessage;
import dev.switchboard.samples.sandbox.TextOutcome;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample gateway in sandbox mode with the demo agent, as a newcomer tries it: the dev phone texts
 * through the Twilio stand-in, which answers STOP, START and HELP on SMS as Twilio does on a long
 * code, and the conversation is read off the console the way the terminal shows it.
 */
class SandboxKeywordEndToEndTest {

    private static final String STOP_ANSWER = "twilio> You have successfully been unsubscribed. You will not receive"
            + " any more messages from this number. Reply START to resubscribe.";
    private static final String START_ANSWER = "twilio> You have successfully been re-subscribed to messages from"
            + " this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
    private static final String HELP_ANSWER = "twilio> Reply STOP to unsubscribe. Msg&Data Rates May Apply.";
    private static final String MENU_FIRST_LINE =
            "agent> Switchboard demo agent. Pick one to see what I can show you, or text its word (markdown, long,"
                    + " two, picture); menu brings this list back.";

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Gateway gateway;
    private DevPhone phone;
    private TwilioSandbox sandbox;

    @BeforeEach
    void start() {
        gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "0"),
                new PrintStream(new Lines(), true, StandardCharsets.UTF_8));
        phone = gateway.devPhone().orElseThrow();
        sandbox = gateway.sandbox().orElseThrow();
        // The banner is printed before start returns; the conversation is what follows.
        lines.clear();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Waits for the next console line that starts with {@code prefix}, keeping every line read. */
    private String awaitLine(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' in " + seen);
    }

    /** Reads the rest of the demo menu, whose first line was just read, up to its last item. */
    private List<String> restOfMenu() throws InterruptedException {
        int from = seen.size();
        awaitLine("Reply with a number");
        return List.copyOf(seen.subList(from, seen.size()));
    }

    private void text(String body) {
        assertThat(phone.text(body)).as("the gateway's answer to " + body).isEqualTo(200);
    }

    private PushOutcome push(String text) throws Exception {
        return gateway.runtime()
                .send("sms", Address.of(Gateway.SANDBOX_PHONE), text)
                .get(30, TimeUnit.SECONDS);
    }

    /** A send straight to the stand-in's REST API from the gateway's number, past the runtime. */
    private HttpResponse<String> sendThroughTwilio(String body) throws Exception {
        String form = Map.of("From", Gateway.SANDBOX_GATEWAY_NUMBER, "To", Gateway.SANDBOX_PHONE, "Body", body)
                .entrySet()
                .stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String credentials = sandbox.accountSid() + ":" + sandbox.authToken();
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        sandbox.baseUrl() + "/2010-04-01/Accounts/" + sandbox.accountSid() + "/Messages.json"))
                .timeout(Duration.ofSeconds(15))
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private long count(String line) {
        return seen.stream().filter(line::equals).count();
    }

    @Test
    void helpTextedFromTheDevPhoneGetsTwiliosAnswer() throws Exception {
        text("help");

        assertThat(awaitLine("twilio> ")).isEqualTo(HELP_ANSWER);
        text("menu");
        awaitLine(MENU_FIRST_LINE);
        assertThat(seen).containsExactly(HELP_ANSWER, MENU_FIRST_LINE);
    }

    @Test
    void stopIsConfirmedAndNothingReachesThePhoneUntilStart() throws Exception {
        text("STOP");

        assertThat(awaitLine("twilio> ")).isEqualTo(STOP_ANSWER);
        PushOutcome refused = push("weekly digest");
        assertThat(refused.kind()).isEqualTo(PushOutcome.Kind.FAILED);
        assertThat(refused.reason()).contains("opted out");
        HttpResponse<String> twilio = sendThroughTwilio("past the runtime");
        assertThat(twilio.statusCode()).isEqualTo(400);
        assertThat(twilio.body()).contains("\"code\":21610");
        text("menu"); // dropped by the runtime: the phone opted out

        text("START");
        assertThat(awaitLine("twilio> ")).isEqualTo(START_ANSWER);
        text("menu");
        awaitLine(MENU_FIRST_LINE);

        assertThat(count(MENU_FIRST_LINE))
                .as("only the menu asked for after START")
                .isEqualTo(1);
        assertThat(seen.stream().filter(l -> l.startsWith("agent> ")).toList()).containsExactly(MENU_FIRST_LINE);
        assertThat(push("weekly digest").kind()).isEqualTo(PushOutcome.Kind.DELIVERED);
        assertThat(awaitLine("agent> ")).isEqualTo("agent> weekly digest");
        assertThat(sendThroughTwilio("straight through Twilio").statusCode()).isEqualTo(201);
        assertThat(awaitLine("agent> ")).isEqualTo("agent> straight through Twilio");
    }

    @Test
    void menuShowsTheDemoMenuWhichNeverSendsPeopleToHelp() throws Exception {
        text("menu");
        awaitLine(MENU_FIRST_LINE);
        List<String> menu = restOfMenu();

        assertThat(menu).contains("1. markdown", "2. long", "3. two", "4. picture", "Reply with a number from 1 to 4.");
        assertThat(String.join("\n", menu)).doesNotContainIgnoringCase("help");

        text("Hello");
        awaitLine(MENU_FIRST_LINE);
        restOfMenu();
        text("what is this?");
        assertThat(awaitLine("agent> "))
                .isEqualTo("agent> I received 13 characters. Text menu to see what I can show you.");
        assertThat(seen).noneMatch(line -> line.startsWith("twilio>"));
    }

    @Test
    void aMenuChoiceIsAnsweredByNumberOrWordOnceAndThenIsOrdinaryText() throws Exception {
        text("menu");
        awaitLine(MENU_FIRST_LINE);
        restOfMenu();
        text("2");
        assertThat(awaitLine("agent> ")).isEqualTo("agent> you chose 2: long");

        text("2");
        assertThat(awaitLine("agent> "))
                .isEqualTo("agent> I received 1 characters. Text menu to see what I can show you.");

        text("menu");
        awaitLine(MENU_FIRST_LINE);
        restOfMenu();
        text("Three");
        assertThat(awaitLine("agent> ")).isEqualTo("agent> you chose 3: two");
    }

    @Test
    void textsSentWhileTheEchoAgentThinksAreAnsweredTogether() throws Exception {
        gateway.close();
        // The first turn takes three seconds, so the next two texts arrive while it runs.
        gateway = Gateway.start(
                Map.of(
                        "SMS_WEBHOOK_PORT",
                        "0",
                        "SWITCHBOARD_ADMIN_PORT",
                        "0",
                        "SWITCHBOARD_AGENT",
                        "echo",
                        "SWITCHBOARD_ECHO_DELAY_MS",
                        "3000"),
                new PrintStream(new Lines(), true, StandardCharsets.UTF_8));
        phone = gateway.devPhone().orElseThrow();
        lines.clear();

        text("first");
        text("second");
        text("third");

        assertThat(awaitLine("agent> ")).isEqualTo("agent> echo: first");
        assertThat(awaitLine("agent> ")).isEqualTo("agent> echo: second / third");
    }

    @Test
    void aPictureTheAgentMadeReachesThePhoneThroughTwiliosFetch() throws Exception {
        text("picture");

        assertThat(awaitLine("agent> "))
                .matches("agent> A picture I made just now\\. \\[media: image/png, [0-9]+ bytes\\]");
    }

    @Test
    void theEchoAgentCountsAndReadsWhatThePhoneSentAndNeverFetchesAForeignUrl(@TempDir Path dir) throws Exception {
        gateway.close();
        gateway = Gateway.start(
                Map.of("SMS_WEBHOOK_PORT", "0", "SWITCHBOARD_ADMIN_PORT", "0", "SWITCHBOARD_AGENT", "echo"),
                new PrintStream(new Lines(), true, StandardCharsets.UTF_8));
        phone = gateway.devPhone().orElseThrow();
        sandbox = gateway.sandbox().orElseThrow();
        lines.clear();
        Path picture = dir.resolve("cat.png");
        Files.write(picture, DemoAgent.picture());

        assertThat(phone.sendImage(picture)).isEqualTo(200);
        assertThat(awaitLine("agent> ")).isEqualTo("agent> echo:  [media: 1, " + Files.size(picture) + " bytes]");

        int fetched = sandbox.mediaRequests();
        TextOutcome foreign = sandbox.textMediaUrl(
                Gateway.SANDBOX_PHONE,
                Gateway.SANDBOX_GATEWAY_NUMBER,
                "look",
                // Twilio's media path on Twilio's origin, but of another account: never fetched.
                URI.create(sandbox.baseUrl() + "/2010-04-01/Accounts/AC" + "0".repeat(32) + "/Messages/MM"
                        + "0".repeat(32) + "/Media/ME" + "0".repeat(32)),
                "image/png");
        assertThat(foreign.webhookStatus()).isEqualTo(200);
        assertThat(awaitLine("agent> ")).isEqualTo("agent> echo: look [media: 1]");
        assertThat(sandbox.mediaRequests()).isEqualTo(fetched);
    }

    @Test
    void aGatewayWithTwoNumbersAnswersFromTheOneTexted() throws Exception {
        gateway.close();
        String second = "+15550009999";
        gateway = Gateway.start(
                Map.of(
                        "SMS_WEBHOOK_PORT", "0",
                        "SWITCHBOARD_ADMIN_PORT", "0",
                        "SWITCHBOARD_AGENT", "echo",
                        "TWILIO_PHONE_NUMBER", Gateway.SANDBOX_GATEWAY_NUMBER + ", " + second),
                new PrintStream(new Lines(), true, StandardCharsets.UTF_8));
        phone = gateway.devPhone().orElseThrow();
        sandbox = gateway.sandbox().orElseThrow();
        lines.clear();

        phone.textTo(second);
        text("to the second");
        assertThat(awaitLine("agent")).endsWith("> echo: to the second");
        phone.textTo(Gateway.SANDBOX_GATEWAY_NUMBER);
        text("to the first");
        assertThat(awaitLine("agent")).endsWith("> echo: to the first");

        assertThat(sandbox.messages())
                .filteredOn(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_API)
                .extracting(m -> m.body() + " from " + m.from().orElse("?"))
                .containsExactly(
                        "echo: to the second from " + second,
                        "echo: to the first from " + Gateway.SANDBOX_GATEWAY_NUMBER);
    }

    @Test
    void helpOverWhatsAppGetsNoAnswerFromTwilio() throws Exception {
        assertThat(phone.textWhatsApp("help")).isEqualTo(200);
        assertThat(sandbox.messages())
                .as("Twilio answers no keyword on WhatsApp")
                .noneMatch(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_REPLY);
        assertThat(phone.textWhatsApp("menu")).isEqualTo(200);
        awaitLine("agent (WhatsApp)> *Switchboard demo agent.*");

        text("help");
        assertThat(awaitLine("twilio")).isEqualTo(HELP_ANSWER);

        assertThat(seen.stream().filter(l -> l.startsWith("twilio")).toList()).containsExactly(HELP_ANSWER);
        assertThat(sandbox.messages())
                .filteredOn(m -> m.direction() == SandboxMessage.Direction.OUTBOUND_REPLY)
                .extracting(SandboxMessage::to)
                .containsExactly(Gateway.SANDBOX_PHONE);
    }

    /** The console, split into lines as the terminal shows them. */
    private final class Lines extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.UTF_8).stripTrailing());
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
