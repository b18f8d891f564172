package dev.switchboard.samples.spring.autoconfigure;

import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.sandbox.DevPhone;
import dev.switchboard.samples.sandbox.TwilioSandbox;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Sandbox mode: the stand-in's numbers post to the application's own port once it listens, and the
 * dev phone reads the terminal ({@code switchboard.sandbox.dev-phone}, on by default), printing the
 * agent's replies as {@code agent> …}, as the gateway does.
 */
@Configuration(proxyBeanMethods = false)
class SandboxConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SandboxConfiguration.class);

    /** Points the stand-in's numbers at the application's port, once it is bound. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> switchboardSandboxWebhooks(GatewayVariables variables) {
        return event -> {
            if (event.getApplicationContext().getServerNamespace() != null) {
                // The management server's, when it has a port of its own.
                return;
            }
            variables.sandbox().ifPresent(sandbox -> {
                String local = "http://127.0.0.1:" + event.getWebServer().getPort();
                Gateway.connectSandbox(variables.variables(), sandbox, local);
                log.info("sandbox mode: the Twilio stand-in at {} posts webhooks to {}", sandbox.baseUrl(), local);
            });
        };
    }

    /** The dev phone on the terminal, once the application runs. */
    @Bean
    ApplicationRunner switchboardDevPhone(
            GatewayVariables variables, SwitchboardProperties properties, Environment environment) {
        return arguments -> {
            if (variables.sandbox().isEmpty() || !properties.devPhone()) {
                return;
            }
            TwilioSandbox sandbox = variables.sandbox().get();
            Map<String, String> env = variables.variables();
            PrintStream console = System.out;
            DevPhone phone = Gateway.devPhone(env, sandbox, console);
            console.println(Gateway.SANDBOX_MODE_LINE);
            console.println("Twilio REST stand-in: " + sandbox.baseUrl() + "   gateway: http://127.0.0.1:"
                    + environment.getProperty("local.server.port") + "   agent: "
                    + env.getOrDefault("SWITCHBOARD_AGENT", "demo"));
            Gateway.printDevPhoneHelp(console, on(env, "SMS_PAIRING") || on(env, "WHATSAPP_PAIRING"));
            Thread reader = new Thread(() -> phone.run(System.in), "dev-phone");
            reader.setDaemon(true);
            reader.start();
        };
    }

    private static boolean on(Map<String, String> env, String name) {
        return env.getOrDefault(name, "").strip().toLowerCase(Locale.ROOT).equals("true");
    }
}
