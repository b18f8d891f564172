package dev.switchboard.runtime.memory;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.Turn;

/**
 * The memory id of a conversation, for {@link HistoryChatMemoryStore} and {@link
 * HistoryChatMemoryRepository}: the channel's id, {@code ':'}, and the person's address as the store
 * keeps it ({@code sms:+15551234567}, {@code whatsapp:+15551234567}). The text is reversible: {@link
 * #conversation} splits it at its first {@code ':'}, so an address may contain {@code ':'} and a
 * channel id may not.
 *
 * <p>A memory id holds the person's number unredacted: it is a key, not something to log.
 */
public final class MemoryIds {

    private MemoryIds() {}

    /**
     * The memory id of a conversation.
     *
     * @throws IllegalArgumentException if the channel's id contains {@code ':'} or is blank (no memory
     *     id could be read back to it)
     */
    public static String of(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        String channelId = conversation.channelId();
        if (channelId.isBlank() || channelId.indexOf(':') >= 0) {
            throw new IllegalArgumentException("channel id '" + channelId + "' cannot be part of a memory id: "
                    + "a memory id is <channel id>:<address>, so the channel id must be non-blank and contain"
                    + " no ':'; give the channel another id");
        }
        return channelId + ":" + conversation.counterpart().value();
    }

    /** The memory id of the turn's conversation: what an agent passes as the memory id of its model call. */
    public static String of(Turn turn) {
        requireNonNull(turn, "turn");
        return of(turn.conversation());
    }

    /**
     * The conversation of a memory id made by {@link #of}.
     *
     * @throws IllegalArgumentException naming the id when it is not {@code <channel id>:<address>}
     */
    public static ConversationKey conversation(String memoryId) {
        requireNonNull(memoryId, "memoryId");
        int colon = memoryId.indexOf(':');
        if (colon <= 0
                || colon == memoryId.length() - 1
                || memoryId.substring(colon + 1).isBlank()) {
            throw new IllegalArgumentException("memory id " + shown(memoryId)
                    + " is not a conversation: expected <channel id>:<address> (sms:<number>, say);"
                    + " pass MemoryIds.of(turn) as the memory id of the model call");
        }
        return new ConversationKey(memoryId.substring(0, colon), Address.of(memoryId.substring(colon + 1)));
    }

    /** The id for a message: quoted when it holds no digit (a name such as {@code default}), redacted otherwise. */
    static String shown(String memoryId) {
        return memoryId.chars().anyMatch(Character::isDigit) ? Address.redact(memoryId) : "'" + memoryId + "'";
    }
}
