package dev.switchboard.samples.cli;

import dev.switchboard.twilio.live.TwilioLive;
import dev.switchboard.twilio.live.WebhookChange;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code webhooks}: the webhook of the number or Messaging Service. */
@Command(
        name = "webhooks",
        mixinStandardHelpOptions = true,
        description = "The webhook Twilio calls for the sender's incoming messages.",
        subcommands = WebhooksCommand.Configure.class)
final class WebhooksCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do: webhooks configure");
    }

    /** {@code webhooks configure}: points the sender's webhook at SMS_WEBHOOK_URL (and WhatsApp's). */
    @Command(
            name = "configure",
            mixinStandardHelpOptions = true,
            description = {
                "Points the number's SmsUrl (POST), or the Messaging Service's inbound request URL, at SMS_WEBHOOK_URL"
                        + " (and the WhatsApp sender's at WHATSAPP_WEBHOOK_URL), touching nothing else. Running it"
                        + " again changes nothing.",
                "Exit status: 0 when done, 1 when Twilio refused a change, 2 for a usage or configuration error."
            })
    static final class Configure implements Callable<Integer> {

        private final CliContext context;

        @Option(names = "--dry-run", description = "Print the change without making it.")
        boolean dryRun;

        Configure(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (TwilioLive live = TwilioLive.fromEnv(context.env())) {
                print(context, live.configureWebhooks(dryRun), dryRun);
                return 0;
            }
        }
    }

    static void print(CliContext context, List<WebhookChange> changes, boolean dryRun) {
        for (WebhookChange change : changes) {
            if (!change.changes()) {
                context.out().printf("unchanged  %s %s is %s%n", change.target(), change.field(), change.shownTo());
            } else {
                String verb = change.applied() ? "changed  " : dryRun ? "would set" : "not set  ";
                context.out()
                        .printf(
                                "%s  %s %s: %s -> %s%n",
                                verb, change.target(), change.field(), shown(change.shownFrom()), change.shownTo());
            }
        }
    }

    private static String shown(String value) {
        return value == null || value.isEmpty() ? "(not set)" : value;
    }
}
