package dev.switchboard.channel;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A provider-approved message template (for WhatsApp through Twilio, a Content API template), used
 * where free text may not be sent.
 *
 * @param id the template's id (Twilio's {@code ContentSid}, {@code HX…})
 * @param variables the values for its placeholders, by placeholder name ({@code "1"}, {@code "2"}…)
 */
public record Template(String id, Map<String, String> variables) {

    public Template {
        requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("template id cannot be blank");
        }
        variables = Map.copyOf(variables);
    }

    @Override
    public String toString() {
        return "Template[id=" + id + ", variables=" + variables.keySet() + "]";
    }
}
