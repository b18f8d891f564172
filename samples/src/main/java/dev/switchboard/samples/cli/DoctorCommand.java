package dev.switchboard.samples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.twilio.live.LiveCheck;
import dev.switchboard.twilio.live.TwilioLive;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code doctor}: every live check of the Twilio setup, one line each. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Checks the Twilio account, the sender, the webhook, recent delivery errors and whether the public"
                    + " URL reaches this machine, one line each (ok, warn or FAIL) with what to do.",
            "Exit status: 0 when nothing failed, 1 when a check failed, 2 for a usage or configuration error."
        })
final class DoctorCommand implements Callable<Integer> {

    private final CliContext context;

    @Option(
            names = "--json",
            description = "Print one JSON object {\"checks\": [{\"name\", \"status\", \"detail\", \"fix\"}]}.")
    boolean json;

    DoctorCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        List<LiveCheck> checks;
        try (TwilioLive live = TwilioLive.fromEnv(context.env())) {
            checks = live.doctor();
        }
        if (json) {
            context.out().println(json(checks));
        } else {
            print(context, checks);
        }
        return checks.stream().anyMatch(check -> check.status() == LiveCheck.Status.FAIL) ? 1 : 0;
    }

    /** One line a check, its fix on the next when there is something to do. */
    static void print(CliContext context, List<LiveCheck> checks) {
        int width =
                checks.stream().mapToInt(check -> check.name().length()).max().orElse(0);
        for (LiveCheck check : checks) {
            String status =
                    switch (check.status()) {
                        case OK -> "ok  ";
                        case WARN -> "warn";
                        case FAIL -> "FAIL";
                    };
            context.out().printf("%s  %-" + width + "s  %s%n", status, check.name(), check.detail());
            if (check.status() != LiveCheck.Status.OK
                    && check.fix() != null
                    && !check.fix().isBlank()) {
                context.out().printf("      %-" + width + "s  fix: %s%n", "", check.fix());
            }
        }
    }

    static String json(List<LiveCheck> checks) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("checks");
        for (LiveCheck check : checks) {
            ObjectNode node = array.addObject();
            node.put("name", check.name());
            node.put("status", check.status().name().toLowerCase(Locale.ROOT));
            node.put("detail", check.detail());
            node.put("fix", check.fix() == null ? "" : check.fix());
        }
        return root.toString();
    }
}
