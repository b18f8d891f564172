package dev.switchboard.runtime.admin;

/**
 * The console's live events: each event published reaches every open {@code GET /api/events}
 * stream of the admin server as one server-sent event ({@code event: <type>}, {@code data: <json>}).
 *
 * <p>The runtime publishes {@code conversation}, {@code pairing} and {@code schedule} events of its
 * own; an application publishes its own types (the sample's dev phone: {@code devphone}). Publishing
 * never blocks: a stream whose reader falls too far behind is closed (the console reconnects and
 * reloads), and without an admin server, or with no stream open, an event goes nowhere. Thread-safe.
 */
public interface AdminEvents {

    /**
     * Publishes an event to every open stream.
     *
     * @param type the event's type: letters, digits, {@code -} and {@code _}, at most 64 characters
     * @param json the event's data, a JSON object's text ({@code {"sid": "SM..."}}); line breaks in
     *     it are sent as the data lines server-sent events allow
     * @throws IllegalArgumentException if {@code type} is not such a name, or {@code json} is not an
     *     object's text (it must start with {@code {} and end with {@code }})
     */
    void publish(String type, String json);
}
