package dev.switchboard.runtime.memory;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a history-backed memory reads and what it keeps of a turn in progress.
 *
 * @param historyLines how many of the conversation's latest lines of history are read (default 50);
 *     consecutive lines of one side become one message, so the messages are fewer, and a window the
 *     framework applies (a {@code MessageWindowChatMemory}'s) cuts them further
 * @param turnExpiry how long the messages of a turn in progress (a reply not yet sent, tool calls and
 *     their results) are kept after their last use (default 1 hour); a turn normally ends well before,
 *     when its reply is recorded as sent
 * @param maxTurns at most this many conversations' turns in progress are kept in this process
 *     (default 10,000); past that the least recently used are dropped
 */
public record HistoryMemoryOptions(int historyLines, Duration turnExpiry, int maxTurns) {

    public HistoryMemoryOptions {
        requireNonNull(turnExpiry, "turnExpiry");
        if (historyLines < 1) {
            throw new IllegalArgumentException(
                    "historyLines must be at least 1, was " + historyLines + ": read at least one line of history");
        }
        if (turnExpiry.isNegative() || turnExpiry.isZero()) {
            throw new IllegalArgumentException("turnExpiry must be positive, was " + turnExpiry
                    + ": give a turn in progress time to finish, e.g. PT1H");
        }
        if (maxTurns < 1) {
            throw new IllegalArgumentException(
                    "maxTurns must be at least 1, was " + maxTurns + ": keep at least one turn in progress");
        }
    }

    /** 50 lines of history, turns in progress kept an hour after their last use, at most 10,000 of them. */
    public static HistoryMemoryOptions defaults() {
        return new HistoryMemoryOptions(50, Duration.ofHours(1), 10_000);
    }

    public HistoryMemoryOptions withHistoryLines(int lines) {
        return new HistoryMemoryOptions(lines, turnExpiry, maxTurns);
    }

    public HistoryMemoryOptions withTurnExpiry(Duration expiry) {
        return new HistoryMemoryOptions(historyLines, expiry, maxTurns);
    }

    public HistoryMemoryOptions withMaxTurns(int turns) {
        return new HistoryMemoryOptions(historyLines, turnExpiry, turns);
    }
}
