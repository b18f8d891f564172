package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A phone in the terminal: each line typed is texted through the {@link TwilioSandbox}, which
 * answers compliance keywords as Twilio does and posts the number's signed webhook to the gateway,
 * and every message the sandbox sends to this phone is printed: the gateway's as {@code agent> …},
 * Twilio's own answers to STOP, START and HELP as {@code twilio> …}.
 *
 * <p>The conversation goes to the console stream it was given (standard output in the gateway),
 * apart from the gateway's logs, which never carry message text.
 */
public final class DevPhone {

    /** Lines that start with this are texted over WhatsApp rather than SMS. */
    public static final String WHATSAPP_PREFIX = "wa:";

    /**
     * Lines that start with this, a number and a colon ({@code as +15551230001: hello}) are texted by
     * SMS from that number, as someone else would; what the gateway sends that number is shown too.
     */
    public static final String AS_PREFIX = "as ";

    /** A line {@code img: /path/to/file.png} sends that file as an MMS (a picture, a PDF…). */
    public static final String IMAGE_PREFIX = "img:";

    /** A line {@code to +15551230002} makes later SMS texts go to that number of the sandbox. */
    public static final String TO_COMMAND = "to ";

    /** What the dev phone understands, shown by {@code help} and at start. */
    public static final String HELP = "Type a line to text it. \"" + WHATSAPP_PREFIX + " …\" texts over WhatsApp; \""
            + IMAGE_PREFIX + " /path/to/file.png\" sends a picture (png, jpg, gif, bmp, pdf, mp4, mp3, ogg, vcf;"
            + " at most 5 MB) by MMS; \"" + TO_COMMAND + "+1…\" texts another of the sandbox's numbers from then on;"
            + " \"as +1…: text\" texts as someone else; \"?\" shows this.";

    /** The media types the dev phone sends, by file extension. */
    private static final java.util.Map<String, String> TYPES = java.util.Map.of(
            "png", "image/png",
            "jpg", "image/jpeg",
            "jpeg", "image/jpeg",
            "gif", "image/gif",
            "bmp", "image/bmp",
            "pdf", "application/pdf",
            "mp4", "video/mp4",
            "mp3", "audio/mpeg",
            "ogg", "audio/ogg",
            "vcf", "text/vcard");

    private static final String WHATSAPP = "whatsapp:";

    private final String number;
    private volatile String smsNumber;
    private final String whatsAppNumber;
    private final TwilioSandbox sandbox;
    private final PrintStream console;
    private final Set<String> others = ConcurrentHashMap.newKeySet();

    /**
     * @param number the phone's own number, E.164
     * @param smsNumber the gateway's SMS number, E.164: a sandbox number with a {@linkplain
     *     TwilioSandbox#configureWebhook webhook}
     * @param whatsAppNumber the gateway's WhatsApp number, E.164 without the {@code whatsapp:} prefix,
     *     if the gateway has that channel (its sandbox number is {@code whatsapp:} and this)
     * @param sandbox the stand-in that carries the texts and the replies
     * @param console where the conversation is shown
     */
    public DevPhone(
            String number,
            String smsNumber,
            Optional<String> whatsAppNumber,
            TwilioSandbox sandbox,
            PrintStream console) {
        this.number = requireNonNull(number, "number");
        this.smsNumber = requireNonNull(smsNumber, "smsNumber");
        this.whatsAppNumber = whatsAppNumber.map(n -> WHATSAPP + n).orElse(null);
        this.sandbox = requireNonNull(sandbox, "sandbox");
        this.console = requireNonNull(console, "console");
        sandbox.onMessage(this::received);
    }

    private void received(SandboxMessage message) {
        String shown = message.body().isEmpty()
                ? "(template " + message.contentSid().orElse("?") + " "
                        + message.contentVariables().orElse("{}") + ")"
                : message.body();
        String sender = message.direction() == SandboxMessage.Direction.OUTBOUND_REPLY ? "twilio" : "agent";
        if (message.body().isEmpty() && !message.media().isEmpty()) {
            shown = "";
        }
        StringBuilder line = new StringBuilder(shown);
        for (SandboxMedia media : message.media()) {
            line.append(line.length() == 0 ? "" : " ")
                    .append(
                            media.fetched()
                                    ? "[media: " + media.contentType() + ", " + media.size() + " bytes]"
                                    : "[media not delivered: " + media.failure().orElse("?") + "]");
        }
        // Which number the reply came from, when the sandbox has several.
        String via = message.from()
                .filter(f -> !f.equals(smsNumber) && !f.equals(whatsAppNumber))
                .map(f -> " via " + TwilioSandbox.redact(f))
                .orElse("");
        if (message.to().equals(number)) {
            show(sender + via + "> " + line);
        } else if (message.to().equals(WHATSAPP + number)) {
            show(sender + " (WhatsApp)" + via + "> " + line);
        } else if (others.contains(message.to())) {
            show(sender + " to " + message.to() + via + "> " + line);
        }
    }

    /** The phone's own number. */
    public String number() {
        return number;
    }

    /**
     * Texts {@code body} to the gateway's SMS number through the sandbox.
     *
     * @return the HTTP status the gateway's webhook answered with
     * @throws IllegalArgumentException if {@code body} is longer than a message carries
     * @throws UncheckedIOException if the gateway could not be reached
     */
    public int text(String body) {
        return send(number, smsNumber, body);
    }

    /**
     * Texts {@code body} to the gateway's SMS number from {@code from}, as someone other than this
     * phone; what the gateway sends {@code from} from then on is shown too.
     *
     * @return the HTTP status the gateway's webhook answered with
     * @throws IllegalArgumentException if {@code from} is not a phone number or {@code body} is too long
     * @throws UncheckedIOException if the gateway could not be reached
     */
    public int textAs(String from, String body) {
        others.add(requireNonNull(from, "from"));
        return send(from, smsNumber, body);
    }

    /**
     * Sends the file at {@code path} by MMS to the gateway's SMS number (the one {@link #textTo} chose
     * last), its type from its extension.
     *
     * @return the HTTP status the gateway's webhook answered with
     * @throws IllegalArgumentException if the file cannot be read, its type is not one the dev phone
     *     sends, or it is over 5 MB; the message says which
     * @throws UncheckedIOException if the gateway could not be reached
     */
    public int sendImage(java.nio.file.Path path) {
        requireNonNull(path, "path");
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(java.util.Locale.ROOT));
        if (type == null) {
            throw new IllegalArgumentException(
                    "cannot send " + name + ": its type is not one of " + new java.util.TreeSet<>(TYPES.keySet()));
        }
        long size;
        try {
            size = java.nio.file.Files.size(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage(), e);
        }
        if (size > TwilioSandbox.MAX_MEDIA_BYTES) {
            throw new IllegalArgumentException(
                    "cannot send " + name + ": it is " + size + " bytes, over Twilio's 5 MB for an MMS");
        }
        byte[] bytes;
        try {
            bytes = java.nio.file.Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage(), e);
        }
        TextOutcome outcome = sandbox.textMedia(
                number, smsNumber, "", java.util.List.of(new dev.switchboard.channel.MediaContent(type, bytes)));
        return answered(outcome);
    }

    /**
     * Makes later SMS texts go to {@code sandboxNumber}, another number of the sandbox (a gateway with
     * several numbers).
     *
     * @throws IllegalArgumentException if it is not a number the sandbox has a webhook for
     */
    public void textTo(String sandboxNumber) {
        requireNonNull(sandboxNumber, "sandboxNumber");
        String to = sandboxNumber.strip();
        if (!sandbox.hasWebhook(to)) {
            throw new IllegalArgumentException(
                    "the sandbox has no number " + TwilioSandbox.redact(to) + " with a webhook to text");
        }
        this.smsNumber = to;
    }

    /** The number SMS texts go to now. */
    public String smsNumber() {
        return smsNumber;
    }

    /**
     * Texts {@code body} to the gateway's WhatsApp number through the sandbox.
     *
     * @return the HTTP status the gateway's webhook answered with
     * @throws IllegalStateException if the gateway has no WhatsApp channel
     * @throws IllegalArgumentException if {@code body} is longer than a message carries
     * @throws UncheckedIOException if the gateway could not be reached
     */
    public int textWhatsApp(String body) {
        if (whatsAppNumber == null) {
            throw new IllegalStateException("the gateway has no WhatsApp channel: set TWILIO_WHATSAPP_NUMBER");
        }
        return send(WHATSAPP + number, whatsAppNumber, body);
    }

    private int send(String from, String to, String body) {
        return answered(sandbox.text(from, to, body));
    }

    private int answered(TextOutcome outcome) {
        if (outcome.webhookStatus() != 200) {
            show("(the gateway answered " + outcome.webhookStatus() + ": "
                    + outcome.webhookBody().strip() + ")");
        }
        return outcome.webhookStatus();
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
                    String command = line.strip();
                    int colon = line.indexOf(':');
                    // "help" itself is texted: HELP is a carrier keyword worth trying from the phone.
                    if (command.equals("?")) {
                        show(HELP);
                    } else if (command.startsWith(IMAGE_PREFIX)) {
                        sendImage(java.nio.file.Path.of(
                                command.substring(IMAGE_PREFIX.length()).strip()));
                    } else if (command.startsWith(TO_COMMAND)
                            && command.length() > TO_COMMAND.length()
                            && command.substring(TO_COMMAND.length()).strip().startsWith("+")) {
                        textTo(command.substring(TO_COMMAND.length()).strip());
                        show("(texting " + TwilioSandbox.redact(smsNumber) + " from now on)");
                    } else if (line.startsWith(AS_PREFIX)
                            && colon > AS_PREFIX.length()
                            && line.substring(AS_PREFIX.length(), colon).strip().matches("\\+[0-9]{6,15}")) {
                        textAs(
                                line.substring(AS_PREFIX.length(), colon).strip(),
                                line.substring(colon + 1).strip());
                    } else if (line.startsWith(WHATSAPP_PREFIX)) {
                        textWhatsApp(line.substring(WHATSAPP_PREFIX.length()).strip());
                    } else {
                        text(line);
                    }
                } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
                    show("(could not text the gateway: " + e.getMessage() + ")");
                }
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        } catch (IOException e) {
            show("(the dev phone stopped reading: " + e.getMessage() + ")");
        }
        show("(no more input: the dev phone stopped reading; the gateway keeps running until stopped with Ctrl-C)");
    }

    private synchronized void show(String line) {
        console.println(line);
        console.flush();
    }

    @Override
    public String toString() {
        return "DevPhone[" + Address.redact(number) + "]";
    }
}
