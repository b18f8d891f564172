package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.twilio.TwilioSignature;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A phone in the terminal: each line typed is texted to the gateway as a webhook signed the way
 * Twilio signs it, and the gateway's replies, caught by the {@link TwilioSandbox}, are printed.
 *
 * <p>The conversation goes to the console stream it was given (standard output in the gateway),
 * apart from the gateway's logs, which never carry message text.
 */
public final class DevPhone {

    /** Lines that start with this are texted over WhatsApp rather than SMS. */
    public static final String WHATSAPP_PREFIX = "wa:";

    /**
     * One way to reach the gateway: a channel's webhook and the addresses in Twilio's form.
     *
     * @param localWebhook where the gateway listens, such as {@code http://127.0.0.1:8080/webhooks/twilio}
     * @param signedUrl the public webhook URL the gateway checks signatures against
     * @param addressPrefix how Twilio writes addresses on this channel ({@code ""} or {@code "whatsapp:"})
     * @param gatewayNumber the gateway's number on this channel, E.164
     */
    public record Line(URI localWebhook, String signedUrl, String addressPrefix, String gatewayNumber) {}

    private final String number;
    private final Line sms;
    private final Line whatsApp;
    private final String accountSid;
    private final String authToken;
    private final PrintStream console;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SecureRandom random = new SecureRandom();

    /**
     * @param number the phone's own number, E.164
     * @param sms how it texts the gateway over SMS
     * @param whatsApp how it texts the gateway over WhatsApp, if the gateway has that channel
     * @param sandbox the stand-in whose account signs the webhooks and whose messages are the replies
     * @param console where the conversation is shown
     */
    public DevPhone(String number, Line sms, Optional<Line> whatsApp, TwilioSandbox sandbox, PrintStream console) {
        this.number = requireNonNull(number, "number");
        this.sms = requireNonNull(sms, "sms");
        this.whatsApp = whatsApp.orElse(null);
        this.accountSid = sandbox.accountSid();
        this.authToken = sandbox.authToken();
        this.console = requireNonNull(console, "console");
        sandbox.onMessage(message -> {
            String shown = message.body().isEmpty()
                    ? "(template " + message.contentSid().orElse("?") + " "
                            + message.contentVariables().orElse("{}") + ")"
                    : message.body();
            if (message.to().equals(number)) {
                show("agent> " + shown);
            } else if (message.to().equals("whatsapp:" + number)) {
                show("agent (WhatsApp)> " + shown);
            }
        });
    }

    /** The phone's own number. */
    public String number() {
        return number;
    }

    /**
     * Texts {@code body} to the gateway as a signed inbound SMS webhook.
     *
     * @return the HTTP status the gateway answered with
     */
    public int text(String body) throws IOException, InterruptedException {
        return send(sms, body);
    }

    /**
     * Texts {@code body} to the gateway as a signed inbound WhatsApp webhook.
     *
     * @return the HTTP status the gateway answered with
     * @throws IllegalStateException if the gateway has no WhatsApp channel
     */
    public int textWhatsApp(String body) throws IOException, InterruptedException {
        if (whatsApp == null) {
            throw new IllegalStateException("the gateway has no WhatsApp channel: set TWILIO_WHATSAPP_NUMBER");
        }
        return send(whatsApp, body);
    }

    private int send(Line line, String body) throws IOException, InterruptedException {
        String sid = "SM" + HexFormat.of().formatHex(randomBytes());
        Map<String, List<String>> params = new TreeMap<>();
        params.put("AccountSid", List.of(accountSid));
        params.put("ApiVersion", List.of("2010-04-01"));
        params.put("Body", List.of(body));
        params.put("From", List.of(line.addressPrefix() + number));
        params.put("MessageSid", List.of(sid));
        params.put("NumMedia", List.of("0"));
        params.put("NumSegments", List.of("1"));
        params.put("SmsMessageSid", List.of(sid));
        params.put("SmsSid", List.of(sid));
        params.put("SmsStatus", List.of("received"));
        params.put("To", List.of(line.addressPrefix() + line.gatewayNumber()));
        if (!line.addressPrefix().isEmpty()) {
            params.put("ProfileName", List.of("Dev Phone"));
            params.put("WaId", List.of(number.substring(1)));
        }
        HttpRequest request = HttpRequest.newBuilder(line.localWebhook())
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", TwilioSignature.sign(authToken, line.signedUrl(), params))
                .POST(HttpRequest.BodyPublishers.ofString(TwilioSandbox.encodeForm(params)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            show("(the gateway answered " + response.statusCode() + ": "
                    + response.body().strip() + ")");
        }
        return response.statusCode();
    }

    /**
     * Texts every line read from {@code input} until it ends: over WhatsApp when the line starts with
     * {@value #WHATSAPP_PREFIX}, over SMS otherwise. An input that is closed from the start (no
     * terminal) ends this at once; the gateway goes on running.
     */
    public void run(InputStream input) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    if (line.startsWith(WHATSAPP_PREFIX)) {
                        textWhatsApp(line.substring(WHATSAPP_PREFIX.length()).strip());
                    } else {
                        text(line);
                    }
                } catch (IOException | IllegalStateException e) {
                    show("(could not text the gateway: " + e.getMessage() + ")");
                }
            }
        } catch (IOException e) {
            show("(the dev phone stopped reading: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        show("(no more input: the dev phone stopped reading; the gateway keeps running until stopped with Ctrl-C)");
    }

    private synchronized void show(String line) {
        console.println(line);
        console.flush();
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return bytes;
    }

    @Override
    public String toString() {
        return "DevPhone[" + Address.redact(number) + "]";
    }
}
