package dev.switchboard.runtime.delivery;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.ConversationKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link OptOutStore#inMemory()}. */
final class InMemoryOptOutStore implements OptOutStore {

    private final Set<ConversationKey> optedOut = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        return optedOut.contains(requireNonNull(conversation, "conversation"));
    }

    @Override
    public void optOut(ConversationKey conversation) {
        optedOut.add(requireNonNull(conversation, "conversation"));
    }

    @Override
    public void optIn(ConversationKey conversation) {
        optedOut.remove(requireNonNull(conversation, "conversation"));
    }

    @Override
    public String toString() {
        return "OptOutStore.inMemory[" + optedOut.size() + " opted out]";
    }
}
