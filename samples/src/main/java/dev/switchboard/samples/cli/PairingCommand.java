package dev.switchboard.samples.cli;

import dev.switchboard.runtime.pairing.Pairing;
import dev.switchboard.runtime.pairing.PairingRequest;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.samples.Gateway;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code pairing}: the requests of senders waiting for the owner's approval, in the store the gateway
 * uses ({@code SWITCHBOARD_DATABASE_URL}, with the gateway's default). An approval here is kept in
 * the store at once; the sender is told by the running gateway, which sends the welcome it finds
 * there within a second or so.
 */
@Command(
        name = "pairing",
        mixinStandardHelpOptions = true,
        description = "Senders waiting for approval (SMS_PAIRING, WHATSAPP_PAIRING), in the gateway's store.",
        subcommands = {PairingCommand.ListRequests.class, PairingCommand.Approve.class, PairingCommand.Deny.class})
final class PairingCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "say what to do: pairing list, pairing approve CODE or pairing deny CODE");
    }

    /** What the subcommands share: the store, opened and closed around the action. */
    abstract static class Action implements Callable<Integer> {

        final CliContext context;

        Action(CliContext context) {
            this.context = context;
        }

        @Override
        public final Integer call() {
            try (Store store = Gateway.openStore(context.env())) {
                if (!store.durable()) {
                    context.err()
                            .println("switchboard pairing: pairing needs a durable store shared with the gateway;"
                                    + " SWITCHBOARD_DATABASE_URL names the in-memory store (the default in sandbox"
                                    + " mode): set it to the gateway's, such as jdbc:sqlite:switchboard.db");
                    return 2;
                }
                return run(Pairing.of(store, Clock.systemUTC()));
            }
        }

        abstract int run(Pairing pairing);
    }

    /** {@code pairing list}: the requests waiting, and who was approved. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Lists the requests waiting (channel, number, code, when it expires) and the senders approved.",
                "Exit status: 0, or 2 for a configuration error."
            })
    static final class ListRequests extends Action {

        ListRequests(CliContext context) {
            super(context);
        }

        @Override
        int run(Pairing pairing) {
            List<PairingRequest> pending = pairing.pending();
            Instant now = Instant.now();
            if (pending.isEmpty()) {
                context.out().println("No pairing request waits.");
            } else {
                context.out().printf("%-10s %-18s %-9s %s%n", "CHANNEL", "NUMBER", "CODE", "EXPIRES");
                for (PairingRequest request : pending) {
                    long minutes =
                            Math.max(0, Duration.between(now, request.expires()).toMinutes());
                    context.out()
                            .printf(
                                    "%-10s %-18s %-9s in %d min%n",
                                    request.channelId(), request.sender().value(), request.code(), minutes);
                }
            }
            for (String channel : List.of("sms", "whatsapp")) {
                var approved = pairing.approved(channel);
                if (!approved.isEmpty()) {
                    context.out()
                            .println("Approved on " + channel + ": "
                                    + String.join(
                                            ", ",
                                            approved.stream()
                                                    .map(a -> a.value())
                                                    .toList()));
                }
            }
            return 0;
        }
    }

    /** {@code pairing approve CODE}. */
    @Command(
            name = "approve",
            mixinStandardHelpOptions = true,
            description = {
                "Lets the sender of the request with CODE talk to the agent; the running gateway tells them.",
                "Exit status: 0 when approved, 1 when no request waits with that code, 2 for a configuration error."
            })
    static final class Approve extends Action {

        @Parameters(paramLabel = "CODE", description = "The code of the request, as the home number was sent it.")
        String code;

        Approve(CliContext context) {
            super(context);
        }

        @Override
        int run(Pairing pairing) {
            return answered(context, pairing.approve(code), "Approved", " on %s: the gateway tells them.");
        }
    }

    /** {@code pairing deny CODE}. */
    @Command(
            name = "deny",
            mixinStandardHelpOptions = true,
            description = {
                "Refuses the request with CODE; the sender is not told.",
                "Exit status: 0 when denied, 1 when no request waits with that code, 2 for a configuration error."
            })
    static final class Deny extends Action {

        @Parameters(paramLabel = "CODE", description = "The code of the request, as the home number was sent it.")
        String code;

        Deny(CliContext context) {
            super(context);
        }

        @Override
        int run(Pairing pairing) {
            return answered(context, pairing.deny(code), "Denied", " on %s: they are not told.");
        }
    }

    private static int answered(CliContext context, Optional<PairingRequest> request, String done, String after) {
        if (request.isEmpty()) {
            context.err()
                    .println("switchboard pairing: no request waits with that code; it may have expired, or been"
                            + " answered already (pairing list shows those waiting)");
            return 1;
        }
        context.out()
                .printf(
                        done + " %s" + after + "%n",
                        request.get().sender().value(),
                        request.get().channelId());
        return 0;
    }
}
