package dev.switchboard.samples.cli;

import dev.switchboard.samples.DotEnv;
import dev.switchboard.samples.Gateway;
import dev.switchboard.twilio.live.WebhookChange;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar switchboard-samples.jar [COMMAND]}: with no command, the gateway as always; with
 * one, {@code setup}, {@code doctor}, {@code webhooks configure} or {@code pairing list|approve|deny}. Every command reads the
 * environment over the working directory's {@code .env}.
 */
@Command(
        name = "switchboard",
        mixinStandardHelpOptions = true,
        version = "switchboard samples",
        description = "With no command, runs the gateway (the sandbox when TWILIO_ACCOUNT_SID is unset).",
        subcommands = {
            SetupCommand.class,
            DoctorCommand.class,
            WebhooksCommand.class,
            PairingCommand.class,
            CommandLine.HelpCommand.class
        })
public final class SwitchboardCli implements Runnable {

    private SwitchboardCli() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            Gateway.main(args);
            return;
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        Console console = System.console();
        Charset charset = console != null ? console.charset() : Charset.defaultCharset();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        Map<String, String> env;
        try {
            env = DotEnv.merged(workingDirectory, System.getenv());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, charset));
        System.exit(run(args, new CliContext(env, workingDirectory, out, err, in, console)));
    }

    /** Runs a command; returns its exit status (2 for a usage or configuration error). */
    public static int run(String[] args, CliContext context) {
        CommandLine commandLine = new CommandLine(new SwitchboardCli(), new Factory(context));
        commandLine.setOut(context.out());
        commandLine.setErr(context.err());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            String message =
                    "switchboard " + line.getCommandSpec().qualifiedName(" ").replaceFirst("^switchboard ", "") + ": "
                            + WebhookChange.withoutPassword(String.valueOf(e.getMessage()));
            line.getErr().println(message);
            // A setting that is missing or wrong (2), or Twilio refused or did not answer (1).
            return e instanceof IllegalArgumentException || e instanceof IllegalStateException ? 2 : 1;
        });
        int status = commandLine.execute(args);
        context.out().flush();
        context.err().flush();
        return status;
    }

    @Override
    public void run() {
        // Only reached through run(String[], ...) with no command, which main never does.
        throw new CommandLine.ParameterException(
                new CommandLine(this), "name a command: setup, doctor, webhooks or pairing");
    }

    /** Gives each command the context it runs in. */
    private record Factory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == SetupCommand.class) {
                return type.cast(new SetupCommand(context));
            }
            if (type == DoctorCommand.class) {
                return type.cast(new DoctorCommand(context));
            }
            if (type == WebhooksCommand.Configure.class) {
                return type.cast(new WebhooksCommand.Configure(context));
            }
            if (PairingCommand.Action.class.isAssignableFrom(type) && type != PairingCommand.Action.class) {
                return type.getDeclaredConstructor(CliContext.class).newInstance(context);
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
