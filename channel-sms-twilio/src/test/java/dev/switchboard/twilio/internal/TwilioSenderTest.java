package dev.switchboard.twilio.internal;

import static dev.switchboard.twilio.FakeTwilioApi.Answer.json;
import static dev.switchboard.twilio.TwilioTestData.ACCOUNT_SID;
import static dev.switchboard.twilio.TwilioTestData.AUTH_TOKEN;
import static dev.switchboard.twilio.TwilioTestData.CREDENTIALS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.OutboundMessage;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.channel.SendReceipt;
import dev.switchboard.channel.Template;
import dev.switchboard.twilio.FakeTwilioApi;
import dev.switchboard.twilio.LogCapture;
import dev.switchboard.twilio.TwilioTestData;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioSenderTest {

    private static final Address PERSON = Address.of(TwilioTestData.PERSON);
    private static final Address OURS = Address.of(TwilioTestData.OUR_NUMBER);
    private static final String MESSAGES_PATH = "/2010-04-01/Accounts/" + ACCOUNT_SID + "/Messages.json";

    private FakeTwilioApi api;
    private TwilioSender sender;

    @BeforeEach
    void startApi() throws IOException {
        api = FakeTwilioApi.start();
        sender = TwilioSender.builder(CREDENTIALS)
                .channelId("sms")
                .from(OURS)
                .statusCallback("https://bot.example.com/webhooks/twilio/status")
                .apiBaseUrl(api.baseUrl())
                .build();
    }

    @AfterEach
    void stopApi() {
        sender.close();
        api.close();
    }

    private static String error(int code, int status) {
        return "{\"code\":" + code + ",\"message\":\"The 'To' number " + TwilioTestData.PERSON
                + " is not valid.\",\"more_info\":\"https://www.twilio.com/docs/errors/" + code + "\",\"status\":"
                + status + "}";
    }

    @Test
    void postsTheExactFormTwilioExpectsWithBasicAuth() {
        SendReceipt receipt = sender.send(OutboundMessage.text(PERSON, "Hello, ünïcode & more 😀"));

        assertThat(receipt).isEqualTo(new SendReceipt(FakeTwilioApi.CREATED_SID, DeliveryStatus.QUEUED));
        assertThat(api.requests()).hasSize(1);
        FakeTwilioApi.Recorded request = api.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(MESSAGES_PATH);
        assertThat(request.header("Content-Type")).startsWith("application/x-www-form-urlencoded");
        String basic =
                Base64.getEncoder().encodeToString((ACCOUNT_SID + ":" + AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
        assertThat(request.header("Authorization")).isEqualTo("Basic " + basic);
        assertThat(request.form().asMap())
                .containsOnly(
                        Map.entry("To", List.of(TwilioTestData.PERSON)),
                        Map.entry("From", List.of(TwilioTestData.OUR_NUMBER)),
                        Map.entry("Body", List.of("Hello, ünïcode & more 😀")),
                        Map.entry("StatusCallback", List.of("https://bot.example.com/webhooks/twilio/status")));
    }

    @Test
    void sendsMediaUrlsWithOrWithoutText() {
        sender.send(OutboundMessage.text(PERSON, "look")
                .withMedia(List.of(
                        URI.create("https://cdn.example.com/a.png"), URI.create("https://cdn.example.com/b.jpg"))));
        sender.send(new OutboundMessage(
                PERSON, "", List.of(URI.create("https://cdn.example.com/c.gif")), java.util.Optional.empty()));

        assertThat(api.requests().get(0).form().all("MediaUrl"))
                .containsExactly("https://cdn.example.com/a.png", "https://cdn.example.com/b.jpg");
        assertThat(api.requests().get(0).form().first("Body")).contains("look");
        assertThat(api.requests().get(1).form().all("MediaUrl")).containsExactly("https://cdn.example.com/c.gif");
        assertThat(api.requests().get(1).form().first("Body")).isEmpty();
    }

    @Test
    void sendsATemplateAsContentSidAndJsonVariables() {
        sender.send(OutboundMessage.text(PERSON, "fallback text")
                .withTemplate(
                        new Template("HX0123456789abcdef0123456789abcdef", Map.of("2", "Tue \"9am\"", "1", "Ada"))));

        FormParameters form = api.requests().get(0).form();
        assertThat(form.first("ContentSid")).contains("HX0123456789abcdef0123456789abcdef");
        assertThat(form.first("ContentVariables")).contains("{\"1\":\"Ada\",\"2\":\"Tue \\\"9am\\\"\"}");
        assertThat(form.first("Body")).isEmpty();
    }

    @Test
    void sendsThroughAMessagingServiceInsteadOfFrom() {
        try (TwilioSender viaService = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .messagingServiceSid(TwilioTestData.SERVICE_SID)
                .apiBaseUrl(api.baseUrl())
                .build()) {
            api.answer(json(201, FakeTwilioApi.createdMessage(FakeTwilioApi.CREATED_SID, "accepted")));

            SendReceipt receipt = viaService.send(OutboundMessage.text(PERSON, "hi"));

            assertThat(receipt.status()).isEqualTo(DeliveryStatus.QUEUED);
            FormParameters form = api.requests().get(0).form();
            assertThat(form.first("MessagingServiceSid")).contains(TwilioTestData.SERVICE_SID);
            assertThat(form.first("From")).isEmpty();
            assertThat(form.first("StatusCallback")).isEmpty();
        }
    }

    @Test
    void addsTheChannelPrefixToToAndFrom() {
        try (TwilioSender whatsapp = TwilioSender.builder(CREDENTIALS)
                .addressFormat(TwilioAddressFormat.WHATSAPP)
                .from(OURS)
                .apiBaseUrl(api.baseUrl())
                .build()) {
            whatsapp.send(OutboundMessage.text(PERSON, "hi"));

            FormParameters form = api.requests().get(0).form();
            assertThat(form.first("To")).contains("whatsapp:" + TwilioTestData.PERSON);
            assertThat(form.first("From")).contains("whatsapp:" + TwilioTestData.OUR_NUMBER);
        }
    }

    @Test
    void keepsABaseUrlPathPrefix() {
        try (TwilioSender prefixed = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl(api.baseUrl() + "/twilio/")
                .build()) {
            prefixed.send(OutboundMessage.text(PERSON, "hi"));

            assertThat(api.requests().get(0).path()).isEqualTo("/twilio" + MESSAGES_PATH);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void aServerErrorIsOneRequestAndAmbiguous(int status) {
        api.answer(json(status, "{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":" + status + "}"));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(RetriableChannelException.class))
                .satisfies(e -> {
                    assertThat(e.mayHaveBeenProcessed()).isTrue();
                    assertThat(e.providerCode()).contains("20500");
                    assertThat(e.getMessage()).contains("HTTP " + status).contains("may or may not have been sent");
                });
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aServerErrorWithAnHtmlBodyIsStillAmbiguous() {
        api.answer(new FakeTwilioApi.Answer(503, Map.of("Content-Type", "text/html"), "<html>busy</html>", null));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(RetriableChannelException.class))
                .satisfies(e -> {
                    assertThat(e.mayHaveBeenProcessed()).isTrue();
                    assertThat(e.providerCode()).isEmpty();
                });
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aRateLimitIsRetriableNotProcessedWithRetryAfter() {
        api.answer(json(429, error(20429, 429)).withHeader("Retry-After", "7"));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(RetriableChannelException.class))
                .satisfies(e -> {
                    assertThat(e.mayHaveBeenProcessed()).isFalse();
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                    assertThat(e.providerCode()).contains("20429");
                });
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void aRateLimitWithoutRetryAfterOrBody() {
        api.answer(json(429, ""));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(RetriableChannelException.class))
                .satisfies(e -> {
                    assertThat(e.mayHaveBeenProcessed()).isFalse();
                    assertThat(e.retryAfter()).isEmpty();
                });
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void readsRetryAfterAsAnHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
        try (TwilioSender clocked = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl(api.baseUrl())
                .clock(clock)
                .build()) {
            api.answer(json(429, error(20429, 429)).withHeader("Retry-After", "Sun, 01 Mar 2026 12:01:30 GMT"));

            assertThatThrownBy(() -> clocked.send(OutboundMessage.text(PERSON, "hi")))
                    .asInstanceOf(type(RetriableChannelException.class))
                    .satisfies(e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(90)));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "20003, 401, check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN",
        "21211, 400, is not a valid phone number",
        "21604, 400, had no To number",
        "21606, 400, is not an SMS-capable number of this account",
        "21608, 400, not a verified number of this trial account",
        "21610, 400, replied STOP",
        "21614, 400, is not a mobile number",
        "21617, 400, longer than 1600 characters",
        "21635, 400, is a landline",
        "20404, 404, check TWILIO_ACCOUNT_SID",
        "21999, 400, Twilio refused the message: error 21999 (HTTP 400); see https://www.twilio.com/docs/errors/21999",
    })
    void aRefusalIsPermanentWithTheCodeAndAdvice(int code, int status, String advice) {
        api.answer(json(status, error(code, status)));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "secret body")))
                .asInstanceOf(type(PermanentChannelException.class))
                .satisfies(e -> {
                    assertThat(e.providerCode()).contains(String.valueOf(code));
                    assertThat(e.getMessage())
                            .contains(advice)
                            .doesNotContain(TwilioTestData.PERSON)
                            .doesNotContain("secret body");
                });
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void namesTheRecipientRedacted() {
        api.answer(json(400, error(21610, 400)));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .hasMessageContaining("the recipient +1555***4321 replied STOP");
    }

    @Test
    void a401WithoutABodyIsAnAuthenticationFailure() {
        api.answer(json(401, ""));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(PermanentChannelException.class))
                .satisfies(e -> {
                    assertThat(e.providerCode()).contains("20003");
                    assertThat(e.getMessage()).contains("TWILIO_AUTH_TOKEN");
                });
    }

    @Test
    void aChannelCanReplaceTheAdviceForACode() {
        try (TwilioSender whatsapp = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl(api.baseUrl())
                .errorMessage(21606, "the From number {to} is not a WhatsApp sender")
                .build()) {
            api.answer(json(400, error(21606, 400)));

            assertThatThrownBy(() -> whatsapp.send(OutboundMessage.text(PERSON, "hi")))
                    .hasMessage("the From number +1555***4321 is not a WhatsApp sender");
        }
    }

    @Test
    void aRefusedConnectionWasNotSent() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (TwilioSender nowhere = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl("http://127.0.0.1:" + closedPort)
                .build()) {
            assertThatThrownBy(() -> nowhere.send(OutboundMessage.text(PERSON, "hi")))
                    .asInstanceOf(type(RetriableChannelException.class))
                    .satisfies(e -> {
                        assertThat(e.mayHaveBeenProcessed()).isFalse();
                        assertThat(e.getMessage()).startsWith("could not reach Twilio");
                    });
        }
    }

    @Test
    void anUnknownHostWasNotSent() {
        try (TwilioSender nowhere = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl("http://no-such-host.invalid")
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            assertThatThrownBy(() -> nowhere.send(OutboundMessage.text(PERSON, "hi")))
                    .asInstanceOf(type(RetriableChannelException.class))
                    .satisfies(e -> assertThat(e.mayHaveBeenProcessed()).isFalse());
        }
    }

    @Test
    void noAnswerInTimeMayHaveBeenSent() {
        CountDownLatch release = new CountDownLatch(1);
        api.answer(json(201, FakeTwilioApi.createdMessage(FakeTwilioApi.CREATED_SID, "queued"))
                .heldUntil(release));
        try (TwilioSender impatient = TwilioSender.builder(CREDENTIALS)
                .from(OURS)
                .apiBaseUrl(api.baseUrl())
                .readTimeout(Duration.ofMillis(300))
                .build()) {
            assertThatThrownBy(() -> impatient.send(OutboundMessage.text(PERSON, "hi")))
                    .asInstanceOf(type(RetriableChannelException.class))
                    .satisfies(e -> {
                        assertThat(e.mayHaveBeenProcessed()).isTrue();
                        assertThat(e.getMessage()).startsWith("no answer from Twilio");
                    });
        } finally {
            release.countDown();
        }
        assertThat(api.requests()).hasSize(1);
    }

    @Test
    void anUnreadableSuccessMayHaveBeenSent() {
        api.answer(json(201, "{\"status\":\"queued\"}"));

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .asInstanceOf(type(RetriableChannelException.class))
                .satisfies(e -> assertThat(e.mayHaveBeenProcessed()).isTrue());
    }

    @Test
    void refusesToSendOnceClosedAndClosesTwice() {
        sender.close();
        sender.close();

        assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "hi")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void theBuilderChecksItsOptions() {
        TwilioSender.Builder builder = TwilioSender.builder(CREDENTIALS);

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("From number or a Messaging Service SID");
        assertThatThrownBy(() -> builder.messagingServiceSid("MG123"))
                .hasMessage("TWILIO_MESSAGING_SERVICE_SID must be MG followed by 32 hex digits: MG123");
        assertThatThrownBy(() -> builder.apiBaseUrl("127.0.0.1:8080"))
                .hasMessage("TWILIO_API_BASE_URL must be an absolute http(s) URL: 127.0.0.1:8080");
        assertThatThrownBy(() -> builder.apiBaseUrl("http://127.0.0.1:8080?x=1"))
                .hasMessage("TWILIO_API_BASE_URL cannot have a query or fragment: http://127.0.0.1:8080?x=1");
        assertThatThrownBy(() -> builder.readTimeout(Duration.ZERO)).hasMessage("readTimeout must be positive: PT0S");
        assertThatThrownBy(() -> builder.connectTimeout(Duration.ofSeconds(-1)))
                .hasMessage("connectTimeout must be positive: PT-1S");
        assertThatThrownBy(() -> builder.statusCallback("/status"))
                .hasMessage("statusCallback must be an absolute http(s) URL: /status");
    }

    @Test
    void logsNeitherTheBodyNorTheNumberNorTheToken() {
        String logs;
        try (LogCapture log = LogCapture.start()) {
            sender.send(OutboundMessage.text(PERSON, "very private words"));
            api.answer(json(400, error(21211, 400)));
            assertThatThrownBy(() -> sender.send(OutboundMessage.text(PERSON, "very private words")));
            logs = log.text();
        }

        assertThat(logs)
                .contains("[sms] sent " + FakeTwilioApi.CREATED_SID + " to +1555***4321 (QUEUED)")
                .doesNotContain("very private words")
                .doesNotContain(TwilioTestData.PERSON)
                .doesNotContain(AUTH_TOKEN);
    }
}
