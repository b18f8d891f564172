package dev.switchboard.samples.spring.autoconfigure;

import dev.switchboard.samples.DotEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The working directory's {@code .env}, read as the sample gateway reads it ({@link DotEnv}), just
 * below the process environment: a variable of the environment wins over the file, and the file
 * over {@code application.yml}. Its names are read as environment variables are, so {@code
 * SERVER_PORT=0} there is {@code server.port} as well.
 */
final class DotEnvEnvironmentPostProcessor implements EnvironmentPostProcessor {

    /** The property source's name; ending so, Spring binds its names as it binds the environment's. */
    static final String NAME = "dotenv-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Path file = Path.of(DotEnv.FILE_NAME);
        if (!Files.exists(file) || environment.getPropertySources().contains(NAME)) {
            return;
        }
        Map<String, Object> variables;
        try {
            variables = new LinkedHashMap<>(DotEnv.read(file));
        } catch (IllegalArgumentException e) {
            throw new SwitchboardSettingsException(e.getMessage(), e);
        }
        SystemEnvironmentPropertySource source = new SystemEnvironmentPropertySource(NAME, variables);
        String processEnvironment = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
        if (environment.getPropertySources().contains(processEnvironment)) {
            environment.getPropertySources().addAfter(processEnvironment, source);
        } else {
            environment.getPropertySources().addLast(source);
        }
    }
}
