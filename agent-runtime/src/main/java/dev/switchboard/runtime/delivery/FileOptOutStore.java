package dev.switchboard.runtime.delivery;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OptOutStore#file(Path)}: the opted-out set in memory, every change appended to a journal
 * file and synced to disk before the call returns, the journal read back when the store is opened.
 *
 * <p>The journal is UTF-8 text, a line per change ({@code out} or {@code in}, the channel id, the
 * address, each URL-encoded). When it holds more than twice as many lines as there are opted-out
 * people, plus a thousand, it is rewritten with one line per opted-out person and moved over the old
 * one in one step, so a crash leaves either the old journal or the new. After a failed append the
 * next change rewrites the file first, so that no line is joined to a part-written one.
 */
final class FileOptOutStore implements OptOutStore {

    private static final Logger log = LoggerFactory.getLogger(FileOptOutStore.class);

    private static final String HEADER = "# switchboard opt-outs, one change a line: out|in channel address";
    private static final int COMPACTION_SLACK = 1_000;

    private final Path file;
    private final int compactionSlack;
    private final Set<ConversationKey> optedOut = ConcurrentHashMap.newKeySet();
    private int journalLines;
    private boolean damaged;

    FileOptOutStore(Path file) {
        this(file, COMPACTION_SLACK);
    }

    FileOptOutStore(Path file, int compactionSlack) {
        this.compactionSlack = compactionSlack;
        this.file = requireNonNull(file, "file").toAbsolutePath();
        Path directory = this.file.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("opt-out file " + this.file + ": the directory " + directory
                    + " does not exist; create it or choose another path");
        }
        try {
            if (Files.exists(this.file)) {
                load();
            } else {
                rewrite();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("opt-out file " + this.file + " cannot be read or written: " + e, e);
        }
    }

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        return optedOut.contains(requireNonNull(conversation, "conversation"));
    }

    /**
     * Kept in memory first: if the disk fails, this process still sends nothing to the person, and
     * the exception says the opt-out will not outlive it.
     */
    @Override
    public synchronized void optOut(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        if (optedOut.add(conversation)) {
            append("out", conversation);
            compactIfDue();
        }
    }

    /** Kept in memory only once on disk: if the disk fails, the person stays opted out. */
    @Override
    public synchronized void optIn(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        if (optedOut.contains(conversation)) {
            append("in", conversation);
            optedOut.remove(conversation);
            compactIfDue();
        }
    }

    @Override
    public String toString() {
        return "OptOutStore.file[" + file + ", " + optedOut.size() + " opted out]";
    }

    private void load() throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // The text ends with a line break, so the last element is empty; anything else there is a
        // line whose write was cut short by a crash, before the call that made it returned.
        int complete = lines.length - 1;
        if (!lines[complete].isEmpty()) {
            log.warn(
                    "opt-out file {}: ignoring an incomplete last line ({} bytes), left by a write that did not finish",
                    file,
                    lines[complete].length());
        }
        for (int i = 0; i < complete; i++) {
            String line = lines[i];
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(" ", -1);
            ConversationKey key = fields.length == 3 ? key(fields[1], fields[2]) : null;
            if (key == null || !(fields[0].equals("out") || fields[0].equals("in"))) {
                throw new IllegalStateException("opt-out file " + file + ", line " + (i + 1)
                        + ": not a change this store writes (expected \"out|in channel address\");"
                        + " fix or remove the line");
            }
            if (fields[0].equals("out")) {
                optedOut.add(key);
            } else {
                optedOut.remove(key);
            }
            journalLines++;
        }
        if (!lines[complete].isEmpty()) {
            rewrite();
        }
    }

    private static ConversationKey key(String channel, String address) {
        try {
            String channelId = URLDecoder.decode(channel, StandardCharsets.UTF_8);
            String value = URLDecoder.decode(address, StandardCharsets.UTF_8);
            return channelId.isEmpty() || value.isBlank() ? null : new ConversationKey(channelId, Address.of(value));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String line(String change, ConversationKey key) {
        return change + " " + URLEncoder.encode(key.channelId(), StandardCharsets.UTF_8) + " "
                + URLEncoder.encode(key.counterpart().value(), StandardCharsets.UTF_8) + "\n";
    }

    /** Appends one change and syncs it to disk. */
    private void append(String change, ConversationKey key) {
        try {
            if (damaged) {
                // A failed append may have left part of a line: the next one must not be joined to it.
                rewrite();
                damaged = false;
            }
            Files.writeString(
                    file,
                    line(change, key),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND,
                    StandardOpenOption.DSYNC);
            journalLines++;
        } catch (IOException e) {
            damaged = true;
            throw new UncheckedIOException(
                    "opt-out file " + file + ": recording an opt-" + change + " for " + key + " failed: " + e, e);
        }
    }

    private void compactIfDue() {
        if (journalLines <= 2 * optedOut.size() + compactionSlack) {
            return;
        }
        try {
            rewrite();
        } catch (IOException e) {
            // The journal is intact and still read back whole; compaction is tried on the next change.
            log.warn("opt-out file {}: compaction failed, the journal keeps growing: {}", file, e.toString());
        }
    }

    /**
     * Replaces the file with one line per opted-out person: written to a file beside it with the same
     * permissions (owner-only for a new one: it holds phone numbers), synced, moved over it in one
     * step, and the directory synced so that the move outlives a power cut. Where the file system
     * cannot move in one step, an existing file is left as it is.
     */
    private void rewrite() throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (ConversationKey key : optedOut) {
            text.append(line("out", key));
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        createLike(temporary);
        Files.writeString(
                temporary,
                text,
                StandardCharsets.UTF_8,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.DSYNC);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            if (Files.exists(file)) {
                Files.deleteIfExists(temporary);
                throw e;
            }
            Files.move(temporary, file);
        }
        syncDirectory();
        journalLines = optedOut.size();
    }

    /** Creates {@code path} (which must not exist) with the file's permissions, or the owner's only. */
    private void createLike(Path path) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.exists(file)
                    ? Files.getPosixFilePermissions(file)
                    : PosixFilePermissions.fromString("rw-------");
            Files.createFile(path, PosixFilePermissions.asFileAttribute(permissions));
            // Created under the process's umask, which may have taken some away: set them exactly.
            Files.setPosixFilePermissions(path, permissions);
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its own defaults apply.
            Files.createFile(path);
        }
    }

    private void syncDirectory() {
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the move is then as durable as they make it.
            log.debug("opt-out file {}: the directory could not be synced: {}", file, e.toString());
        }
    }
}
