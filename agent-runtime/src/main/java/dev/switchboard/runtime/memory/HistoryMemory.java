package dev.switchboard.runtime.memory;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.store.ConversationSummary;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.Store;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model's memory over a conversation's history, whatever the framework: what {@link
 * HistoryChatMemoryStore} and {@link HistoryChatMemoryRepository} share. The framework's messages are
 * seen through a {@link Codec}.
 *
 * <p>The memory of a conversation is its history (durable, the same on every replica) followed by the
 * turn in progress (kept in this process only, as a turn runs on one replica at a time):
 *
 * <ul>
 *   <li>History lines become messages, the person's as user messages and the replies as sent as
 *       assistant messages, consecutive lines of one side joined by a line break into one message;
 *       lines with no text are left out.
 *   <li>The person's latest lines that no reply followed yet are the input of the turn in progress:
 *       the framework adds them itself, as the user message of its call (the agent passes {@code
 *       turn.text()}, or a template around it), so they are left out until the memory holds that
 *       user message, and are read back as lines once the turn's reply is recorded.
 *   <li>When the framework saves its messages, the longest start of them that is history already is
 *       recognised (its window may have cut older messages off) and what follows is the turn in
 *       progress: the user message, tool call requests and their results, the reply not yet sent. It
 *       is anchored to the history's latest line at the time and read back after that line's history.
 *   <li>The turn is over, and its messages dropped, once the history shows it: the reply (closing the
 *       turn's messages) was followed by any line, or a line the agent sent was followed by one from
 *       the person. Lines recorded during a turn (a progress note the agent sends, a message arriving
 *       meanwhile) are read from the next turn on.
 *   <li>System messages are kept with the turn's messages in this process and come first.
 * </ul>
 *
 * <p>Clearing writes a {@link #CLEARED} record naming the conversation's latest line; from then on only
 * the lines after it are read, and the history itself is left as it was.
 */
final class HistoryMemory<M> {

    private static final Logger log = LoggerFactory.getLogger(HistoryMemory.class);

    /** The kind of the store's records that mark where a conversation's memory was cleared. */
    static final String CLEARED = "memory.cleared";

    /** At most this many conversations are listed. */
    static final int CONVERSATIONS = 10_000;

    /** What a framework's message is, as far as the memory cares. */
    enum Kind {
        SYSTEM,
        USER,
        /** An assistant message with text and no tool call request. */
        AI_TEXT,
        /** An assistant message that requests tool calls. */
        AI_TOOL_CALLS,
        TOOL_RESULT,
        OTHER
    }

    /** How the memory sees a framework's messages and makes them. */
    interface Codec<M> {

        Kind kind(M message);

        /** The message's text, {@code ""} when it has none. */
        String text(M message);

        M user(String text);

        M assistant(String text);
    }

    /** One message of history: one or more consecutive lines of one side. */
    private record Said(boolean person, String text) {}

    /** A line of history, recognised again in a later read (its status may have moved on). */
    private record LineId(HistoryEntry.Direction direction, Instant at, String messageId, int textHash) {

        static LineId of(HistoryEntry line) {
            return new LineId(
                    line.direction(),
                    line.at(),
                    line.messageId().orElse(""),
                    line.text().hashCode());
        }

        boolean matches(HistoryEntry line) {
            return direction == line.direction()
                    && at.equals(line.at())
                    && messageId.equals(line.messageId().orElse(""))
                    && textHash == line.text().hashCode();
        }

        String encode() {
            return at + "\n" + direction.name() + "\n" + messageId + "\n" + Integer.toHexString(textHash);
        }

        static Optional<LineId> decode(String value) {
            String[] parts = value.split("\n", -1);
            if (parts.length != 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new LineId(
                        HistoryEntry.Direction.valueOf(parts[1]),
                        Instant.parse(parts[0]),
                        parts[2],
                        Integer.parseUnsignedInt(parts[3], 16)));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * What this process keeps of a conversation: its system messages and, while a turn is in
     * progress, the turn's messages after the history up to {@code anchor} (empty: no line yet).
     *
     * @param inTurn whether a turn is in progress; without one, only the system messages count
     * @param showPending whether the person's latest lines are shown before {@code turn} (when the
     *     framework's messages held them as they are) or left to the turn's own user message
     */
    private record State<M>(
            List<M> system, boolean inTurn, Optional<LineId> anchor, boolean showPending, List<M> turn) {

        /** System messages alone, between turns. */
        static <M> State<M> between(List<M> system) {
            return new State<>(system, false, Optional.empty(), false, List.of());
        }
    }

    private static final int STALE = -2;

    private final Store store;
    private final HistoryMemoryOptions options;
    private final Codec<M> codec;
    private final Cache<String, State<M>> states;

    HistoryMemory(Store store, HistoryMemoryOptions options, Codec<M> codec) {
        this.store = requireNonNull(store, "store");
        this.options = requireNonNull(options, "options");
        this.codec = requireNonNull(codec, "codec");
        this.states = Caffeine.newBuilder()
                .maximumSize(options.maxTurns())
                .expireAfterAccess(options.turnExpiry())
                .build();
    }

    /** The memory of a conversation: system messages, history, then the turn in progress. */
    List<M> get(String memoryId) {
        ConversationKey conversation = MemoryIds.conversation(memoryId);
        List<HistoryEntry> lines = visibleLines(memoryId, conversation);
        State<M> state = states.getIfPresent(memoryId);
        List<M> messages = new ArrayList<>();
        if (state == null) {
            messages.addAll(toMessages(withoutPending(said(lines))));
            return messages;
        }
        messages.addAll(state.system());
        int anchor = anchorIndex(state, lines);
        if (anchor == STALE) {
            if (state.inTurn()) {
                forgetTurn(memoryId, state);
            }
            messages.addAll(toMessages(withoutPending(said(lines))));
        } else {
            List<Said> known = said(lines.subList(0, anchor + 1));
            messages.addAll(toMessages(state.showPending() ? known : withoutPending(known)));
            messages.addAll(state.turn());
        }
        return messages;
    }

    /** Takes the framework's whole window of messages: what is not history is the turn in progress. */
    void update(String memoryId, List<M> messages) {
        requireNonNull(messages, "messages");
        ConversationKey conversation = MemoryIds.conversation(memoryId);
        List<HistoryEntry> lines = visibleLines(memoryId, conversation);
        State<M> state = states.getIfPresent(memoryId);
        int anchorIndex = state == null ? STALE : anchorIndex(state, lines);

        List<HistoryEntry> known;
        Optional<LineId> anchor;
        if (anchorIndex == STALE) {
            known = lines;
            anchor = lines.isEmpty() ? Optional.empty() : Optional.of(LineId.of(lines.get(lines.size() - 1)));
        } else {
            known = lines.subList(0, anchorIndex + 1);
            anchor = state.anchor();
        }

        List<M> system = new ArrayList<>();
        List<M> window = new ArrayList<>();
        for (M message : messages) {
            (codec.kind(message) == Kind.SYSTEM ? system : window).add(message);
        }

        List<Said> history = said(known);
        Optional<String> pending = pendingLast(known, history);
        int best;
        int start;
        boolean showPending;
        // The framework's window after the whole history, pending lines included.
        int k = longestPrefixOnSuffix(window, history);
        if (pending.isPresent() && k >= 1 && k < window.size() && carries(window.get(k), pending.get())) {
            // ... and its own user message for them: the lines' message it was given is replaced.
            best = k + 1;
            start = k;
            showPending = false;
        } else {
            best = k;
            start = k;
            showPending = true;
        }
        if (pending.isPresent()) {
            // The framework's window after the history without the pending lines (as get() gives it).
            List<Said> answered = history.subList(0, history.size() - 1);
            int j = longestPrefixOnSuffix(window, answered);
            int score = j + (j < window.size() && carries(window.get(j), pending.get()) ? 1 : 0);
            if (score >= best) {
                start = j;
                showPending = false;
            }
        }

        List<M> turn = List.copyOf(window.subList(start, window.size()));
        if (turn.isEmpty() && !showPending) {
            if (system.isEmpty()) {
                states.invalidate(memoryId);
            } else {
                states.put(memoryId, State.between(List.copyOf(system)));
            }
        } else {
            states.put(memoryId, new State<>(List.copyOf(system), true, anchor, showPending, turn));
        }
    }

    /**
     * Makes the model forget the conversation so far, leaving its history as it is: a {@link #CLEARED}
     * record names the latest line, and only later lines are read from then on.
     */
    void clear(String memoryId) {
        ConversationKey conversation = MemoryIds.conversation(memoryId);
        List<HistoryEntry> latest = store.history(conversation, 1);
        if (latest.isEmpty()) {
            store.deleteRecord(CLEARED, memoryId);
        } else {
            store.putRecord(CLEARED, memoryId, LineId.of(latest.get(0)).encode(), Optional.empty());
        }
        states.invalidate(memoryId);
        log.debug("the model's memory of {} was cleared", conversation);
    }

    /** The memory ids of the conversations with history, the most recently active first. */
    List<String> conversationIds() {
        List<String> ids = new ArrayList<>();
        for (ConversationSummary summary : store.conversations(CONVERSATIONS)) {
            String channelId = summary.conversation().channelId();
            if (!channelId.isBlank() && channelId.indexOf(':') < 0) {
                ids.add(MemoryIds.of(summary.conversation()));
            }
        }
        return ids;
    }

    /** The lines read for the memory: the latest ones, less those up to where it was last cleared. */
    private List<HistoryEntry> visibleLines(String memoryId, ConversationKey conversation) {
        List<HistoryEntry> lines = store.history(conversation, options.historyLines());
        Optional<String> marker = store.record(CLEARED, memoryId, Instant.now());
        if (marker.isEmpty() || lines.isEmpty()) {
            return lines;
        }
        Optional<LineId> cleared = LineId.decode(marker.get());
        if (cleared.isEmpty()) {
            log.warn("the {} record of {} cannot be read; the memory shows the whole history", CLEARED, conversation);
            return lines;
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (cleared.get().matches(lines.get(i))) {
                return lines.subList(i + 1, lines.size());
            }
        }
        // The line is older than every line read (or gone): they all came after it.
        return lines;
    }

    /**
     * Where the state's turn is anchored in {@code lines} ({@code -1} before the first), or {@link
     * #STALE} when no turn is in progress any more.
     */
    private int anchorIndex(State<M> state, List<HistoryEntry> lines) {
        if (!state.inTurn()) {
            return STALE;
        }
        int anchor = -1;
        if (state.anchor().isPresent()) {
            anchor = lines.size() - 1;
            while (anchor >= 0 && !state.anchor().get().matches(lines.get(anchor))) {
                anchor--;
            }
            if (anchor < 0) {
                return STALE;
            }
        }
        List<HistoryEntry> after = lines.subList(anchor + 1, lines.size());
        List<M> turn = state.turn();
        boolean closed = turn.isEmpty() || codec.kind(turn.get(turn.size() - 1)) == Kind.AI_TEXT;
        if (closed && !after.isEmpty()) {
            return STALE;
        }
        boolean sent = false;
        for (HistoryEntry line : after) {
            if (line.direction() == HistoryEntry.Direction.OUTBOUND) {
                sent = true;
            } else if (sent) {
                return STALE;
            }
        }
        return anchor;
    }

    private void forgetTurn(String memoryId, State<M> state) {
        if (state.system().isEmpty()) {
            states.asMap().remove(memoryId, state);
        } else {
            states.asMap().replace(memoryId, state, State.between(state.system()));
        }
    }

    /** Lines as messages: consecutive lines of one side joined by a line break, lines with no text left out. */
    private static List<Said> said(List<HistoryEntry> lines) {
        List<Said> said = new ArrayList<>();
        for (HistoryEntry line : lines) {
            if (line.text().isBlank()) {
                continue;
            }
            boolean person = line.direction() == HistoryEntry.Direction.INBOUND;
            int last = said.size() - 1;
            if (last >= 0 && said.get(last).person() == person) {
                said.set(last, new Said(person, said.get(last).text() + "\n" + line.text()));
            } else {
                said.add(new Said(person, line.text()));
            }
        }
        return said;
    }

    /** The history without the person's latest lines that no reply followed. */
    private static List<Said> withoutPending(List<Said> said) {
        if (!said.isEmpty() && said.get(said.size() - 1).person()) {
            return said.subList(0, said.size() - 1);
        }
        return said;
    }

    /** The text of the person's latest line, when no reply followed it. */
    private static Optional<String> pendingLast(List<HistoryEntry> lines, List<Said> said) {
        if (said.isEmpty() || !said.get(said.size() - 1).person()) {
            return Optional.empty();
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (!lines.get(i).text().isBlank()) {
                return Optional.of(lines.get(i).text().strip());
            }
        }
        return Optional.empty();
    }

    private List<M> toMessages(List<Said> said) {
        List<M> messages = new ArrayList<>(said.size());
        for (Said one : said) {
            messages.add(one.person() ? codec.user(one.text()) : codec.assistant(one.text()));
        }
        return messages;
    }

    /** The largest {@code k} such that the first {@code k} messages are the last {@code k} of {@code said}. */
    private int longestPrefixOnSuffix(List<M> messages, List<Said> said) {
        for (int k = Math.min(messages.size(), said.size()); k > 0; k--) {
            int offset = said.size() - k;
            boolean all = true;
            for (int i = 0; i < k && all; i++) {
                all = same(messages.get(i), said.get(offset + i));
            }
            if (all) {
                return k;
            }
        }
        return 0;
    }

    private boolean same(M message, Said said) {
        Kind kind = codec.kind(message);
        boolean sameSide = said.person() ? kind == Kind.USER : kind == Kind.AI_TEXT;
        return sameSide && codec.text(message).strip().equals(said.text().strip());
    }

    /** Whether a message is the framework's user message for the person's latest line: it holds its text. */
    private boolean carries(M message, String pendingLast) {
        return codec.kind(message) == Kind.USER && codec.text(message).contains(pendingLast);
    }
}
