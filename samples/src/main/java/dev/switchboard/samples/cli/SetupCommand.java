package dev.switchboard.samples.cli;

import dev.switchboard.twilio.live.LiveCheck;
import dev.switchboard.twilio.live.TwilioLive;
import dev.switchboard.twilio.live.WebhookChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code setup}: asks for (or takes) the account, the sender, the public webhook URL and who may talk to
 * the agent, checks them live, writes {@code .env} (mode 0600) and offers to point the webhook.
 */
@Command(
        name = "setup",
        mixinStandardHelpOptions = true,
        description = {
            "Asks for the Twilio Account SID, the Auth Token (not echoed), the sender (a number or a Messaging"
                    + " Service), the public webhook URL and who may talk to the agent; checks them with Twilio;"
                    + " writes .env in the working directory (mode 0600); offers to point the webhook.",
            "Exit status: 0 when done, 1 when Twilio refused the credentials or the sender, 2 for a usage error."
        })
final class SetupCommand implements Callable<Integer> {

    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    private static final Pattern SERVICE_SID = Pattern.compile("MG[0-9a-fA-F]{32}");
    private static final Pattern NUMBER = Pattern.compile("\\+[1-9][0-9]{6,14}");

    private final CliContext context;

    @Option(names = "--non-interactive", description = "Ask nothing: take every value from the options.")
    boolean nonInteractive;

    @Option(names = "--account-sid", paramLabel = "AC...", description = "The Account SID.")
    String accountSid;

    @Option(
            names = "--auth-token",
            paramLabel = "TOKEN",
            description = "The Auth Token (prefer typing it at the prompt).")
    String authToken;

    @Option(names = "--phone-number", paramLabel = "+1...", description = "The Twilio number to send from.")
    String phoneNumber;

    @Option(
            names = "--messaging-service-sid",
            paramLabel = "MG...",
            description = "A Messaging Service to send through.")
    String messagingServiceSid;

    @Option(names = "--webhook-url", paramLabel = "URL", description = "The public URL Twilio posts messages to.")
    String webhookUrl;

    @Option(names = "--allowed-users", paramLabel = "+1...,+1...", description = "Who may talk to the agent.")
    String allowedUsers;

    @Option(names = "--allow-all-users", description = "Let everyone talk to the agent.")
    boolean allowAllUsers;

    @Option(
            names = "--configure-webhook",
            description = "Also point the sender's webhook at the URL (asked otherwise).")
    boolean configureWebhook;

    @Option(names = "--force", description = "Overwrite an existing .env (asked otherwise).")
    boolean force;

    SetupCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        if (!nonInteractive && !ask()) {
            context.err().println("switchboard setup: the input ended before every value was given");
            return 2;
        }
        String problem = problem();
        if (problem != null) {
            context.err().println("switchboard setup: " + problem);
            return 2;
        }
        Map<String, String> values = values();
        Map<String, String> checked = new LinkedHashMap<>(values);
        // The sandbox (or a proxy) stands in for Twilio's API when its base URL is set.
        String apiBase = context.env().get("TWILIO_API_BASE_URL");
        if (apiBase != null && !apiBase.isBlank()) {
            checked.put("TWILIO_API_BASE_URL", apiBase);
        }
        context.out().println("Checking with Twilio...");
        try (TwilioLive live = TwilioLive.fromEnv(checked)) {
            List<LiveCheck> checks = live.doctor();
            DoctorCommand.print(context, checks);
            boolean refused = checks.stream()
                    .anyMatch(check -> check.status() == LiveCheck.Status.FAIL
                            && (check.name().equals("credentials")
                                    || check.name().equals("sender")));
            if (refused) {
                context.err()
                        .println("switchboard setup: Twilio refused the credentials or the sender; .env was not"
                                + " written. Correct them and run setup again.");
                return 1;
            }
            Path file = context.workingDirectory().resolve(".env");
            if (Files.exists(file) && !force) {
                if (nonInteractive || !yes("Overwrite " + file.getFileName() + "? [y/N] ", false)) {
                    context.err()
                            .println("switchboard setup: " + file + " exists and was left as it is"
                                    + (nonInteractive ? " (--force overwrites it)" : ""));
                    return 2;
                }
            }
            write(file, values);
            context.out().println("Wrote " + file + " (readable by you only).");
            boolean configure = nonInteractive
                    ? configureWebhook
                    : yes("Point the sender's webhook at " + webhookUrl + "? [Y/n] ", true);
            if (configure) {
                WebhooksCommand.print(context, live.configureWebhooks(false), false);
            }
        }
        context.out()
                .println("Next: java -jar samples/target/switchboard-samples.jar to run the gateway, then"
                        + " java -jar samples/target/switchboard-samples.jar doctor to check it from outside.");
        return 0;
    }

    /** Asks for what the options did not give; false if the input ended. */
    private boolean ask() {
        context.out().println("Switchboard setup: your Twilio account, in the Console's Account Info.");
        accountSid = askFor("Account SID (AC…): ", accountSid);
        if (accountSid == null) {
            return false;
        }
        if (authToken == null) {
            authToken = context.askSecret("Auth Token (not shown): ");
            if (authToken == null) {
                return false;
            }
            authToken = authToken.strip();
        }
        if (phoneNumber == null && messagingServiceSid == null) {
            String sender = askFor("Sender: a Twilio number (+1…) or a Messaging Service SID (MG…): ", null);
            if (sender == null) {
                return false;
            }
            if (sender.startsWith("MG")) {
                messagingServiceSid = sender;
            } else {
                phoneNumber = sender;
            }
        }
        webhookUrl = askFor("Public webhook URL (https://.../webhooks/twilio, the gateway's path): ", webhookUrl);
        if (webhookUrl == null) {
            return false;
        }
        if (allowedUsers == null && !allowAllUsers) {
            String who = askFor("Who may talk to the agent (numbers, comma separated, or * for everyone): ", null);
            if (who == null) {
                return false;
            }
            if (who.equals("*")) {
                allowAllUsers = true;
            } else {
                allowedUsers = who;
            }
        }
        return true;
    }

    private String askFor(String prompt, String given) {
        if (given != null) {
            return given;
        }
        String typed = context.ask(prompt);
        return typed == null ? null : typed.strip();
    }

    private boolean yes(String prompt, boolean byDefault) {
        String typed = context.ask(prompt);
        if (typed == null || typed.isBlank()) {
            return byDefault;
        }
        return typed.strip().toLowerCase(Locale.ROOT).startsWith("y");
    }

    /** What is wrong with the values, naming the option, or null; never quotes the token. */
    private String problem() {
        if (accountSid == null || !ACCOUNT_SID.matcher(accountSid).matches()) {
            return "--account-sid must be AC and 32 hexadecimal digits: "
                    + (accountSid == null ? "missing" : accountSid);
        }
        if (authToken == null || authToken.isBlank()) {
            return "--auth-token is missing";
        }
        if ((phoneNumber == null) == (messagingServiceSid == null)) {
            return "give one sender: --phone-number or --messaging-service-sid";
        }
        if (phoneNumber != null && !NUMBER.matcher(phoneNumber).matches()) {
            return "--phone-number must be in E.164 form (+15551234567): " + phoneNumber;
        }
        if (messagingServiceSid != null
                && !SERVICE_SID.matcher(messagingServiceSid).matches()) {
            return "--messaging-service-sid must be MG and 32 hexadecimal digits: " + messagingServiceSid;
        }
        if (webhookUrl == null || !(webhookUrl.startsWith("https://") || webhookUrl.startsWith("http://"))) {
            return "--webhook-url must be the public http(s) URL Twilio posts to: "
                    + (webhookUrl == null ? "missing" : WebhookChange.withoutPassword(webhookUrl));
        }
        try {
            if (new URI(webhookUrl).getHost() == null) {
                return "--webhook-url has no host name: " + WebhookChange.withoutPassword(webhookUrl);
            }
        } catch (URISyntaxException e) {
            return "--webhook-url is not a URL (" + e.getReason() + "): " + WebhookChange.withoutPassword(webhookUrl);
        }
        if (allowedUsers != null) {
            for (String user : allowedUsers.split(",")) {
                if (!NUMBER.matcher(user.strip()).matches()) {
                    return "--allowed-users must list numbers in E.164 form (+15551234567), comma separated: "
                            + user.strip();
                }
            }
        }
        if ((allowedUsers == null || allowedUsers.isBlank()) == !allowAllUsers) {
            return "say who may talk to the agent: --allowed-users or --allow-all-users (one of them)";
        }
        return null;
    }

    private Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("TWILIO_ACCOUNT_SID", accountSid);
        values.put("TWILIO_AUTH_TOKEN", authToken);
        if (phoneNumber != null) {
            values.put("TWILIO_PHONE_NUMBER", phoneNumber);
        } else {
            values.put("TWILIO_MESSAGING_SERVICE_SID", messagingServiceSid);
        }
        values.put("SMS_WEBHOOK_URL", webhookUrl);
        if (allowAllUsers) {
            values.put("SMS_ALLOW_ALL_USERS", "true");
        } else {
            values.put("SMS_ALLOWED_USERS", allowedUsers.replace(" ", ""));
        }
        return values;
    }

    /** Writes the file readable by its owner only, in one step: never half written, never readable by others. */
    private static void write(Path file, Map<String, String> values) {
        StringBuilder text =
                new StringBuilder("# Written by switchboard setup. Keep it private: it holds the Auth Token.\n");
        values.forEach(
                (key, value) -> text.append(key).append('=').append(value).append('\n'));
        try {
            Path directory = file.toAbsolutePath().getParent();
            Path temporary;
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                temporary = Files.createTempFile(
                        directory,
                        ".env",
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                temporary = Files.createTempFile(directory, ".env", ".tmp");
            }
            try {
                Files.writeString(temporary, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(file, Set.copyOf(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
