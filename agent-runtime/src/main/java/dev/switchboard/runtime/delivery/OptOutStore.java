package dev.switchboard.runtime.delivery;

import dev.switchboard.channel.ConversationKey;
import java.nio.file.Path;

/**
 * Who asked to receive nothing more, per channel: the runtime records an opt-out when a person texts a
 * STOP-family word or the provider refuses a send because they had (Twilio's 21610), records an opt-in
 * when they text a START-family word, and refuses every send to an opted-out person at once, without
 * calling the provider.
 *
 * <p>A conversation key is a channel and a person, so opting out of SMS leaves WhatsApp as it was.
 * The default, {@link #inMemory()}, forgets everything on restart; an application that must keep
 * opt-outs across restarts (most that send on their own initiative) uses {@link #file(Path)} or
 * supplies a store backed by its own storage. Implementations must be thread-safe and quick: {@link #isOptedOut} is called before
 * every send. A store that throws makes the send fail rather than risk a message to someone who
 * opted out.
 */
public interface OptOutStore {

    /** Whether the person of {@code conversation} opted out of its channel. */
    boolean isOptedOut(ConversationKey conversation);

    /** Records that the person of {@code conversation} opted out of its channel. Idempotent. */
    void optOut(ConversationKey conversation);

    /** Records that the person of {@code conversation} opted back in to its channel. Idempotent. */
    void optIn(ConversationKey conversation);

    /**
     * A store in memory, empty at start and lost on restart. Its size grows with the number of
     * people who opted out and stay so: one small entry each.
     */
    static OptOutStore inMemory() {
        return new InMemoryOptOutStore();
    }

    /**
     * A store kept in {@code file}, which survives restarts: the opted-out people are held in memory
     * for {@link #isOptedOut}, and each change is appended to the file and synced to disk before the
     * call returns (opt-outs are rare, so a disk sync each costs nothing that matters). The file is
     * created if absent and rewritten compactly now and then; it holds phone numbers, so keep it
     * where the application keeps its other personal data. One runtime per file.
     *
     * <p>If the disk fails, an opt-out still holds for this process and the call throws (the runtime
     * logs it as an error); an opt-in is not taken, so the person stays opted out.
     *
     * @throws IllegalArgumentException if the file's directory does not exist
     * @throws java.io.UncheckedIOException if the file cannot be read or created
     * @throws IllegalStateException if a line of the file is not one this store writes, naming the line
     */
    static OptOutStore file(Path file) {
        return new FileOptOutStore(file);
    }
}
