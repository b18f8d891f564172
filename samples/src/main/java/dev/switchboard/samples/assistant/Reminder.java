package dev.switchboard.samples.assistant;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.channel.Address;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * A reminder the assistant promised: the text to push to a person on a channel, from the gateway's
 * address they wrote to, at a time. {@code toString()} omits the text and redacts the addresses.
 *
 * @param id its key in the store: the time in epoch milliseconds, zero-padded so that keys sort by
 *     time, then a random part
 * @param channelId the channel to push it on
 * @param from the gateway's own address the person wrote to, which it is sent from
 * @param to the person
 * @param at when it is due
 * @param text what to remind them of
 */
public record Reminder(String id, String channelId, Address from, Address to, Instant at, String text) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Reminder {
        requireNonNull(id, "id");
        requireNonNull(channelId, "channelId");
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(at, "at");
        requireNonNull(text, "text");
    }

    /** The record's value in the store: the reminder as JSON (its id is the record's key). */
    String toJson() {
        ObjectNode node = JSON.createObjectNode()
                .put("channel", channelId)
                .put("from", from.value())
                .put("to", to.value())
                .put("at", at.toString())
                .put("text", text);
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reminder could not be written as JSON", e);
        }
    }

    /**
     * The reminder stored as {@code json} under the key {@code id}.
     *
     * @throws IllegalArgumentException if {@code json} is not a stored reminder (the message never
     *     quotes it)
     */
    static Reminder fromJson(String id, String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new Reminder(
                    id,
                    node.required("channel").asText(),
                    Address.of(node.required("from").asText()),
                    Address.of(node.required("to").asText()),
                    Instant.parse(node.required("at").asText()),
                    node.required("text").asText());
        } catch (JsonProcessingException | DateTimeException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "not a stored reminder (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "Reminder[id=" + id + ", channel=" + channelId + ", from=" + from + ", to=" + to + ", at=" + at
                + ", textLength=" + text.length() + "]";
    }
}
