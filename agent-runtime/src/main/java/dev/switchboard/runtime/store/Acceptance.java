package dev.switchboard.runtime.store;

import dev.switchboard.channel.ConversationKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Store#accept(List, java.time.Instant, String, java.time.Duration)} did: the inbox entry
 * of each message (empty for a duplicate), and the conversations whose lease the owner holds now.
 *
 * @param entries for each message, in order, its new inbox entry, or empty for a duplicate
 * @param leased each conversation with a new entry whose lease the owner holds now, mapped to whether
 *     the new entries of this call are all that the conversation has waiting (so that they can run in
 *     the order of {@code entries} without reading the inbox); a conversation another owner holds is
 *     not in it
 * @param optedOut the conversations of {@code leased} whose person had opted out when the messages
 *     were committed
 */
public record Acceptance(
        List<Optional<InboxEntry>> entries, Map<ConversationKey, Boolean> leased, Set<ConversationKey> optedOut) {

    public Acceptance {
        entries = List.copyOf(entries);
        leased = Map.copyOf(leased);
        optedOut = Set.copyOf(optedOut);
    }
}
