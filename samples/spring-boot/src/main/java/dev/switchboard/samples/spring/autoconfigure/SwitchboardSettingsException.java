package dev.switchboard.samples.spring.autoconfigure;

import java.util.Map;
import java.util.TreeMap;

/**
 * A setting of the gateway is missing or bad, so the application does not start. The message is the
 * gateway's own, which names the variable ({@code SMS_WEBHOOK_URL}), followed by the Spring property
 * that stands for each variable it names ({@code switchboard.sms.webhook-url}).
 */
public final class SwitchboardSettingsException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    SwitchboardSettingsException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code cause}, its message followed by the properties of the variables it names. */
    static SwitchboardSettingsException of(RuntimeException cause) {
        String message = String.valueOf(cause.getMessage());
        Map<String, String> named = new TreeMap<>();
        SwitchboardProperties.PROPERTY_OF.forEach((variable, property) -> {
            if (message.matches("(?s).*\\b" + variable + "\\b.*")) {
                named.put(variable, property);
            }
        });
        StringBuilder full = new StringBuilder(message);
        if (!named.isEmpty()) {
            full.append(" (in Spring's settings: ");
            String separator = "";
            for (Map.Entry<String, String> entry : named.entrySet()) {
                full.append(separator).append(entry.getKey()).append(" is ").append(entry.getValue());
                separator = ", ";
            }
            full.append(')');
        }
        return new SwitchboardSettingsException(full.toString(), cause);
    }
}
