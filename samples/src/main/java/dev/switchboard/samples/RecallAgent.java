package dev.switchboard.samples;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import dev.switchboard.runtime.store.HistoryEntry;
import java.util.List;
import java.util.Optional;

/**
 * Answers each message with {@code recall: } and the text of the person's previous message in the
 * conversation, or {@code recall: (none)} for the first: a window on the conversation's history,
 * which with a durable store outlives restarts and is shared by replicas.
 */
public final class RecallAgent implements Agent {

    @Override
    public Optional<String> respond(Turn turn) {
        List<HistoryEntry> before = turn.history(50);
        for (int i = before.size() - 1; i >= 0; i--) {
            HistoryEntry line = before.get(i);
            if (line.direction() == HistoryEntry.Direction.INBOUND) {
                return Optional.of("recall: " + line.text());
            }
        }
        return Optional.of("recall: (none)");
    }

    @Override
    public String toString() {
        return "RecallAgent";
    }
}
