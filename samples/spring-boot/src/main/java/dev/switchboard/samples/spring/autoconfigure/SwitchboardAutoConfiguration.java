package dev.switchboard.samples.spring.autoconfigure;

import dev.switchboard.channel.Channel;
import dev.switchboard.channel.WebhookRoute;
import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.AgentRuntimeBuilder;
import dev.switchboard.runtime.RuntimeHealth;
import dev.switchboard.runtime.servlet.SwitchboardServlet;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreException;
import dev.switchboard.runtime.store.StoreSettings;
import dev.switchboard.samples.Gateway;
import dev.switchboard.samples.assistant.AssistantAgent;
import dev.switchboard.samples.assistant.Reminders;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Switchboard in a Spring Boot application, configured by the sample gateway's variables or their
 * {@code switchboard.*} properties ({@link GatewayVariables}):
 *
 * <ul>
 *   <li>the {@link Agent} that {@code switchboard.agent} ({@code SWITCHBOARD_AGENT}) names, unless the
 *       application has an {@code Agent} bean of its own;
 *   <li>the {@link Store} on the application's {@link DataSource} when it has one ({@code
 *       spring.datasource.url}, SQLite or PostgreSQL), else the gateway's: {@code
 *       SWITCHBOARD_DATABASE_URL}, by default memory in sandbox mode and {@code
 *       jdbc:sqlite:switchboard.db} with Twilio;
 *   <li>the {@link AgentRuntime}, started, without a webhook server of its own, counting in the
 *       application's {@link MeterRegistry}, closed with the context;
 *   <li>the {@link SwitchboardServlet} on the application's port, at the channels' webhook paths;
 *   <li>the health contributor {@code switchboard}: the runtime's own {@linkplain AgentRuntime#health()
 *       readiness}, DOWN with the reasons when the store stops answering or the runtime is closed.
 * </ul>
 *
 * <p>In sandbox mode the Twilio stand-in is started too, and the application listens on the port its
 * webhooks were signed for, on {@code 127.0.0.1} unless {@code server.address} says otherwise, as the
 * gateway does.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@EnableConfigurationProperties(SwitchboardProperties.class)
@Import(SandboxConfiguration.class)
public class SwitchboardAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SwitchboardAutoConfiguration.class);

    /** Where the runtime serves the media an agent made, when the channels fetch them from it. */
    static final String MEDIA_PATH = "/switchboard/media/*";

    /** The paths of the channels' routes, read when the runtime's bean configures the channels. */
    private volatile Set<String> webhookPaths = Set.of();

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    GatewayVariables switchboardVariables(ConfigurableEnvironment environment, SwitchboardProperties properties) {
        try {
            return GatewayVariables.read(environment, properties);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw SwitchboardSettingsException.of(e);
        }
    }

    /** In sandbox mode, listens where the stand-in posts: the port its webhooks were signed for. */
    @Bean
    WebServerFactoryCustomizer<ConfigurableWebServerFactory> switchboardSandboxPort(
            GatewayVariables variables, ConfigurableEnvironment environment) {
        return new SandboxPortCustomizer(variables, environment.containsProperty("server.address"));
    }

    /**
     * The agent {@code switchboard.agent} names ({@link Gateway#agents}), made by the runtime's bean
     * after the channels' settings were found good (its settings were checked with the variables, before
     * the stand-in starts), and
     * the {@code assistant} keeps its reminders in the store.
     */
    @Bean
    @Lazy
    @ConditionalOnMissingBean
    Agent switchboardAgent(GatewayVariables variables, ObjectProvider<Store> store) {
        return variables.agents().apply(store.getObject());
    }

    /**
     * The store, opened by the runtime's bean once every other setting was found good, so that a
     * mistake there leaves no database behind.
     */
    @Bean(destroyMethod = "close")
    @Lazy
    @ConditionalOnMissingBean
    Store switchboardStore(GatewayVariables variables, ObjectProvider<DataSource> dataSource) {
        DataSource application = dataSource.getIfUnique();
        if (application == null) {
            try {
                return Gateway.store(variables.variables(), variables.sandboxMode());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw SwitchboardSettingsException.of(e);
            }
        }
        if (variables.variables().containsKey("SWITCHBOARD_DATABASE_URL")) {
            log.warn("SWITCHBOARD_DATABASE_URL is ignored: the store is on the application's DataSource"
                    + " (spring.datasource.url)");
        }
        try {
            return JdbcStores.open(application, StoreSettings.defaults());
        } catch (StoreException | IllegalArgumentException e) {
            throw new SwitchboardSettingsException(
                    "The store could not be opened on the application's DataSource (spring.datasource.url): "
                            + e.getMessage(),
                    e);
        }
    }

    @Bean(destroyMethod = "close")
    AgentRuntime switchboardRuntime(
            GatewayVariables variables,
            ObjectProvider<Agent> agent,
            ObjectProvider<Store> store,
            ObjectProvider<MeterRegistry> meterRegistry) {
        AgentRuntimeBuilder builder = AgentRuntime.builder().noWebhookServer();
        try {
            Set<String> paths = new LinkedHashSet<>();
            for (Channel channel : Gateway.configure(variables.variables(), builder)) {
                for (WebhookRoute route : channel.routes()) {
                    paths.add(route.path());
                }
            }
            webhookPaths = Set.copyOf(paths);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw SwitchboardSettingsException.of(e);
        }
        meterRegistry.ifUnique(builder::meterRegistry);
        AgentRuntime runtime;
        try {
            // The agent first: its name is checked before the store opens, as the gateway checks it.
            builder.agent(agent.getObject());
            runtime = builder.store(store.getObject()).build().start();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw SwitchboardSettingsException.of(e);
        }
        try {
            Gateway.scheduleHeartbeat(variables.variables(), runtime);
        } catch (IllegalArgumentException | IllegalStateException e) {
            runtime.close();
            throw SwitchboardSettingsException.of(e);
        }
        return runtime;
    }

    /**
     * The assistant's reminders ({@code switchboard.agent=assistant}), swept while the runtime runs and
     * stopped before it closes; nothing for another agent.
     */
    @Bean(destroyMethod = "close")
    AutoCloseable switchboardReminders(AgentRuntime runtime, Agent agent) {
        if (agent instanceof AssistantAgent assistant) {
            Reminders reminders = assistant.reminders();
            reminders.start(runtime);
            return reminders;
        }
        return () -> {};
    }

    /**
     * The webhooks on the application's own port: the servlet at every path of the channels' routes
     * (the Twilio channels': {@code /webhooks/twilio} and its {@code /status}), and at the media the
     * runtime serves. Asynchronous, so that a webhook waiting for the store's commit holds no thread.
     */
    @Bean
    ServletRegistrationBean<SwitchboardServlet> switchboardServlet(AgentRuntime runtime) {
        // The runtime's bean, made first, has read the paths.
        Set<String> paths = new LinkedHashSet<>(webhookPaths);
        paths.add(MEDIA_PATH);
        ServletRegistrationBean<SwitchboardServlet> registration =
                new ServletRegistrationBean<>(new SwitchboardServlet(runtime), paths.toArray(String[]::new));
        registration.setName("switchboard");
        registration.setAsyncSupported(true);
        return registration;
    }

    /** The runtime's readiness as the health component {@code switchboard}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class SwitchboardHealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "switchboardHealthIndicator")
        HealthIndicator switchboardHealthIndicator(AgentRuntime runtime) {
            return () -> {
                RuntimeHealth health = runtime.health();
                Health.Builder builder = health.up() ? Health.up() : Health.down();
                health.checks().forEach(builder::withDetail);
                if (!health.reasons().isEmpty()) {
                    builder.withDetail("reasons", health.reasons());
                }
                return builder.build();
            };
        }
    }

    /** Sets the port (and, unless {@code server.address} is set, the loopback address) in sandbox mode. */
    private record SandboxPortCustomizer(GatewayVariables variables, boolean addressSet)
            implements WebServerFactoryCustomizer<ConfigurableWebServerFactory>, Ordered {

        @Override
        public void customize(ConfigurableWebServerFactory factory) {
            if (!variables.sandboxMode()) {
                return;
            }
            factory.setPort(variables.sandboxPort());
            if (!addressSet) {
                factory.setAddress(InetAddress.getLoopbackAddress());
            }
        }

        @Override
        public int getOrder() {
            // After Boot's own customizer, which sets server.port.
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
