package dev.switchboard.samples.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link SwitchboardSettingsException} as Spring Boot reports a bad property: the gateway's
 * message (which names the variable and its property) instead of a stack trace.
 */
final class SwitchboardFailureAnalyzer extends AbstractFailureAnalyzer<SwitchboardSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, SwitchboardSettingsException cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Set the variable (or its switchboard.* property) as the message says, in the environment or in"
                        + " application.yml, and start the application again.",
                cause);
    }
}
