package dev.switchboard.runtime.store;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.InboundMessage;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store on SQLite or PostgreSQL: one code path, the differences in {@link Dialect}. Times are
 * epoch milliseconds; every statement has a query timeout, so that a database that stopped answering
 * fails a call within seconds instead of holding a webhook past Twilio's patience.
 *
 * <p>Tables, all prefixed {@code sb_}: {@code sb_dedupe} (channel and message id of each accepted
 * message), {@code sb_inbox} (accepted messages not yet done; {@link #done} deletes the entry, its
 * dedupe record keeps a redelivery out), {@code sb_history}, {@code sb_lease}, {@code sb_opt_out},
 * {@code sb_window}, {@code sb_schedule_claim}, {@code sb_receipt} (the furthest delivery report of
 * each message, for the replica that sent it), {@code sb_outbox}, {@code sb_charge}, {@code sb_record}
 * (small keyed records with an expiry) and {@code sb_schema_version}.
 *
 * <p>{@link #purge} removes schedule claims made {@link StoreSettings#dedupeRetention()} ago or
 * earlier, as the in-memory store does: a fire time that old is never claimed again.
 */
final class JdbcStore implements Store {

    static final int QUERY_TIMEOUT_SECONDS = 5;
    /** A migration may wait for another process's: longer than one statement, still bounded. */
    static final int MIGRATION_TIMEOUT_SECONDS = 30;

    /** The schema version this code writes and reads; {@link #MIGRATIONS} brings a database to it. */
    static final int SCHEMA_VERSION = 5;

    private static final Logger log = LoggerFactory.getLogger(JdbcStore.class);

    /** A transaction PostgreSQL aborted to break a deadlock or a serialization conflict runs again. */
    private static final int ATTEMPTS = 3;

    private static final String INBOUND = HistoryEntry.Direction.INBOUND.name();
    private static final String OUTBOUND = HistoryEntry.Direction.OUTBOUND.name();

    private static final String INBOX_COLUMNS =
            "seq, channel_id, counterpart, message_id, recipient, body, attachments, extras, received_at, accepted_at";

    private final DataSource dataSource;
    private final Dialect dialect;
    private final StoreSettings settings;
    private final String description;
    private final AutoCloseable ownedPool;
    private final boolean statementTimeouts;
    private final Object closeLock = new Object();
    private boolean closed;

    private JdbcStore(
            DataSource dataSource,
            Dialect dialect,
            StoreSettings settings,
            String description,
            AutoCloseable ownedPool,
            boolean statementTimeouts) {
        this.dataSource = dataSource;
        this.statementTimeouts = statementTimeouts;
        this.dialect = dialect;
        this.settings = settings;
        this.description = description;
        this.ownedPool = ownedPool;
    }

    /**
     * Opens a store on a database, migrating its schema to {@link #SCHEMA_VERSION} first.
     *
     * @param ownedPool what {@link #close()} closes (the pool the store built), or {@code null} when
     *     the data source is the application's
     * @param statementTimeouts whether each statement gets a {@linkplain Statement#setQueryTimeout
     *     query timeout}; not needed (and not paid for: a timer task per statement on PostgreSQL's
     *     driver) when the connections bound every statement themselves
     * @throws StoreException when the database cannot be reached or migrated, or has a newer schema
     */
    static JdbcStore open(
            DataSource dataSource,
            Dialect dialect,
            StoreSettings settings,
            String description,
            AutoCloseable ownedPool,
            boolean statementTimeouts) {
        JdbcStore store = new JdbcStore(
                requireNonNull(dataSource, "dataSource"),
                requireNonNull(dialect, "dialect"),
                requireNonNull(settings, "settings"),
                requireNonNull(description, "description"),
                ownedPool,
                statementTimeouts);
        store.migrate();
        return store;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "JdbcStore[" + description + "]";
    }

    /** How long {@link #ping()} lets the database take to answer. */
    static final int PING_TIMEOUT_SECONDS = 2;

    @Override
    public void ping() {
        query(() -> "answer a ping", connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(PING_TIMEOUT_SECONDS);
                statement.execute("SELECT 1");
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- schema

    /**
     * The scripts of each schema version, in order: {@code MIGRATIONS.get(v - 1)} brings version
     * {@code v - 1} to {@code v}. A released version's script never changes; a change is a new version.
     */
    private static final List<Migration> MIGRATIONS = List.of(
            JdbcStore::version1, JdbcStore::version2, JdbcStore::version3, JdbcStore::version4, JdbcStore::version5);

    @FunctionalInterface
    private interface Migration {
        List<String> statements(Dialect dialect);
    }

    private static List<String> version1(Dialect dialect) {
        String identity = dialect.identityColumn();
        return List.of(
                """
                CREATE TABLE sb_dedupe (
                    channel_id TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    accepted_at BIGINT NOT NULL,
                    PRIMARY KEY (channel_id, message_id))""",
                "CREATE INDEX sb_dedupe_accepted_at ON sb_dedupe (accepted_at)",
                """
                CREATE TABLE sb_inbox (
                    seq %s,
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    body TEXT NOT NULL,
                    attachments TEXT NOT NULL,
                    extras TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    accepted_at BIGINT NOT NULL)""".formatted(identity),
                "CREATE INDEX sb_inbox_conversation ON sb_inbox (channel_id, counterpart, seq)",
                """
                CREATE TABLE sb_history (
                    id %s,
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    body TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    message_id TEXT,
                    status TEXT)""".formatted(identity),
                "CREATE INDEX sb_history_conversation ON sb_history (channel_id, counterpart, id)",
                "CREATE INDEX sb_history_message ON sb_history (channel_id, message_id)",
                "CREATE INDEX sb_history_at ON sb_history (at)",
                """
                CREATE TABLE sb_lease (
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    PRIMARY KEY (channel_id, counterpart))""",
                """
                CREATE TABLE sb_opt_out (
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    opted_out_at BIGINT NOT NULL,
                    PRIMARY KEY (channel_id, counterpart))""",
                """
                CREATE TABLE sb_window (
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    last_inbound BIGINT NOT NULL,
                    PRIMARY KEY (channel_id, counterpart))""",
                """
                CREATE TABLE sb_schedule_claim (
                    schedule_id TEXT NOT NULL,
                    fire_time BIGINT NOT NULL,
                    owner TEXT NOT NULL,
                    claimed_at BIGINT NOT NULL,
                    PRIMARY KEY (schedule_id, fire_time))""",
                "CREATE INDEX sb_schedule_claim_claimed_at ON sb_schedule_claim (claimed_at)");
    }

    /** Version 2: delivery reports, for the replica that sent a message when another was called. */
    private static List<String> version2(Dialect dialect) {
        return List.of("""
                CREATE TABLE sb_receipt (
                    channel_id TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    status TEXT NOT NULL,
                    status_rank INTEGER NOT NULL,
                    error_code TEXT,
                    received_at BIGINT NOT NULL,
                    PRIMARY KEY (channel_id, message_id))""", "CREATE INDEX sb_receipt_received_at ON sb_receipt (received_at)");
    }

    /** Version 3: the outbox, the parts each turn is sending, until its inbox entry is done. */
    private static List<String> version3(Dialect dialect) {
        return List.of("""
                CREATE TABLE sb_outbox (
                    entry_seq BIGINT NOT NULL,
                    message_no INTEGER NOT NULL,
                    part_no INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    state TEXT NOT NULL,
                    message_id TEXT,
                    attempt_at BIGINT,
                    PRIMARY KEY (entry_seq, message_no, part_no))""");
    }

    /** Version 4: outbound charges, so that replicas share each person's outbound cap. */
    private static List<String> version4(Dialect dialect) {
        return List.of(
                """
                CREATE TABLE sb_charge (
                    id %s,
                    channel_id TEXT NOT NULL,
                    counterpart TEXT NOT NULL,
                    charged_at BIGINT NOT NULL,
                    cost INTEGER NOT NULL)""".formatted(dialect.identityColumn()),
                "CREATE INDEX sb_charge_recipient ON sb_charge (channel_id, counterpart, charged_at)",
                "CREATE INDEX sb_charge_charged_at ON sb_charge (charged_at)");
    }

    /** Version 5: small keyed records with an expiry (pending pairings, approvals, offered choices). */
    private static List<String> version5(Dialect dialect) {
        return List.of("""
                CREATE TABLE sb_record (
                    kind TEXT NOT NULL,
                    record_key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    expires_at BIGINT,
                    PRIMARY KEY (kind, record_key))""", "CREATE INDEX sb_record_expires_at ON sb_record (expires_at)");
    }

    /**
     * Brings the schema to {@link #SCHEMA_VERSION} in one transaction that excludes every other
     * process's migration, so that replicas starting together migrate once.
     */
    private void migrate() {
        int[] from = {0};
        try {
            transaction(() -> "migrate the schema of " + description, connection -> {
                int networkTimeout = widenNetworkTimeout(connection);
                try (Statement statement = connection.createStatement()) {
                    dialect.lockForMigration(connection);
                    statement.setQueryTimeout(MIGRATION_TIMEOUT_SECONDS);
                    statement.execute("CREATE TABLE IF NOT EXISTS sb_schema_version ("
                            + "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
                    int current;
                    try (ResultSet rows = statement.executeQuery("SELECT MAX(version) FROM sb_schema_version")) {
                        rows.next();
                        current = rows.getInt(1);
                    }
                    from[0] = current;
                    if (current > SCHEMA_VERSION) {
                        throw new NewerSchemaException(current);
                    }
                    for (int version = current + 1; version <= SCHEMA_VERSION; version++) {
                        for (String sql : MIGRATIONS.get(version - 1).statements(dialect)) {
                            statement.execute(sql);
                        }
                        statement.execute("INSERT INTO sb_schema_version (version, applied_at) VALUES (" + version
                                + ", " + System.currentTimeMillis() + ")");
                    }
                } finally {
                    if (networkTimeout > 0) {
                        connection.setNetworkTimeout(Runnable::run, networkTimeout);
                    }
                }
                return null;
            });
        } catch (NewerSchemaException e) {
            throw new StoreException("the store's schema in " + description + " is version " + e.version
                    + ", newer than this application's (" + SCHEMA_VERSION
                    + "): a newer version of the application migrated it; upgrade this one");
        }
        if (from[0] < SCHEMA_VERSION) {
            log.info("Store {}: schema migrated from version {} to {}", description, from[0], SCHEMA_VERSION);
        }
    }

    /**
     * Lets a migration's statements (and its wait for another process's) run past the socket timeout
     * of a pool made for short statements.
     *
     * @return the timeout to restore after, or 0 when it was not changed
     */
    private static int widenNetworkTimeout(Connection connection) throws SQLException {
        int wanted = (MIGRATION_TIMEOUT_SECONDS + 5) * 1_000;
        try {
            int current = connection.getNetworkTimeout();
            if (current > 0 && current < wanted) {
                connection.setNetworkTimeout(Runnable::run, wanted);
                return current;
            }
        } catch (SQLFeatureNotSupportedException e) {
            // A driver without network timeouts has none to widen.
        }
        return 0;
    }

    /** Thrown inside the migration transaction so that it rolls back; never leaves this class. */
    private static final class NewerSchemaException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int version;

        NewerSchemaException(int version) {
            super(null, null, false, false);
            this.version = version;
        }
    }

    // ---------------------------------------------------------------- inbox and dedupe

    private record MessageKey(String channelId, String messageId) {
        static final Comparator<MessageKey> ORDER =
                Comparator.comparing(MessageKey::channelId).thenComparing(MessageKey::messageId);
    }

    @Override
    public List<Optional<InboxEntry>> accept(List<InboundMessage> messages, Instant now) {
        return accept(messages, now, null, null).entries();
    }

    /**
     * One transaction of a few statements whatever the number of messages: each of them (the dedupe
     * records, the inbox entries, the history lines, the leases and the look for older waiting
     * entries) takes every row of the batch at once.
     */
    @Override
    public Acceptance accept(List<InboundMessage> messages, Instant now, String owner, Duration leaseTtl) {
        List<InboundMessage> batch = List.copyOf(messages);
        requireNonNull(now, "now");
        if (owner != null) {
            requireNonNull(leaseTtl, "leaseTtl");
        }
        if (batch.isEmpty()) {
            return new Acceptance(List.of(), Map.of(), Set.of());
        }
        String what = "accept " + batch.size() + (batch.size() == 1 ? " message" : " messages");
        return transaction(() -> what, connection -> accept(connection, batch, now, owner, leaseTtl));
    }

    private Acceptance accept(
            Connection connection, List<InboundMessage> batch, Instant now, String owner, Duration leaseTtl)
            throws SQLException {
        long acceptedAt = millis(now);
        Set<MessageKey> isNew = claimDedupeRecords(connection, batch, acceptedAt);
        // The first of a batch's copies of a message is the new one; the others are duplicates.
        List<InboundMessage> fresh = new ArrayList<>(isNew.size());
        for (InboundMessage message : batch) {
            if (isNew.remove(new MessageKey(message.channelId(), message.id()))) {
                fresh.add(message);
            }
        }
        Map<MessageKey, Long> sequences =
                fresh.isEmpty() ? new HashMap<>() : insertInbox(connection, fresh, acceptedAt);
        if (keepsHistory() && !fresh.isEmpty()) {
            List<HistoryEntry> lines = new ArrayList<>(fresh.size());
            for (InboundMessage message : fresh) {
                lines.add(new HistoryEntry(
                        message.conversation(),
                        HistoryEntry.Direction.INBOUND,
                        message.text(),
                        message.receivedAt(),
                        Optional.of(message.id()),
                        Optional.empty()));
            }
            try (HistoryWriter history = new HistoryWriter(connection)) {
                // With a lease, the conversations' lines beyond the bound go when their turns are
                // settled, outside the transaction the webhooks' answers wait for.
                history.addAll(lines, owner == null);
            }
        }
        List<Optional<InboxEntry>> accepted = new ArrayList<>(batch.size());
        // Each conversation's first new entry, in one order for every batch (see claimDedupeRecords).
        Map<ConversationKey, Long> firstSequence = new TreeMap<>(CONVERSATION_ORDER);
        Instant acceptedInstant = Instant.ofEpochMilli(acceptedAt);
        for (InboundMessage message : batch) {
            Long sequence = sequences.remove(new MessageKey(message.channelId(), message.id()));
            if (sequence == null) {
                accepted.add(Optional.empty());
                continue;
            }
            firstSequence.merge(message.conversation(), sequence, Math::min);
            accepted.add(Optional.of(new InboxEntry(sequence, message, acceptedInstant)));
        }
        if (owner == null || firstSequence.isEmpty()) {
            return new Acceptance(accepted, Map.of(), Set.of());
        }
        Map<ConversationKey, Boolean> leased = lease(connection, firstSequence, owner, now, leaseTtl);
        return new Acceptance(accepted, leased, optedOut(connection, leased.keySet()));
    }

    private static final Comparator<ConversationKey> CONVERSATION_ORDER = Comparator.comparing(
                    ConversationKey::channelId)
            .thenComparing(conversation -> conversation.counterpart().value());

    /** {@code count} rows of {@code width} parameters each: {@code (?, ?), (?, ?)}. */
    private static String rows(int count, int width) {
        String row = "(" + "?, ".repeat(width - 1) + "?)";
        StringBuilder rows = new StringBuilder(count * (row.length() + 2));
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                rows.append(", ");
            }
            rows.append(row);
        }
        return rows.toString();
    }

    /**
     * Inserts the batch's dedupe records (or renews those past their retention), one per distinct
     * channel and id, in one order for every batch: two batches that share ids then wait for each
     * other instead of deadlocking.
     *
     * @return the keys whose record is new
     */
    private Set<MessageKey> claimDedupeRecords(Connection connection, List<InboundMessage> batch, long acceptedAt)
            throws SQLException {
        Set<MessageKey> keys = new TreeSet<>(MessageKey.ORDER);
        for (InboundMessage message : batch) {
            keys.add(new MessageKey(message.channelId(), message.id()));
        }
        long forgottenAt = acceptedAt - settings.dedupeRetention().toMillis();
        Set<MessageKey> isNew = new HashSet<>();
        try (PreparedStatement dedupe = prepare(
                connection,
                "INSERT INTO sb_dedupe (channel_id, message_id, accepted_at) VALUES " + rows(keys.size(), 3)
                        + " ON CONFLICT (channel_id, message_id) DO UPDATE SET accepted_at = excluded.accepted_at"
                        + " WHERE sb_dedupe.accepted_at <= ? RETURNING channel_id, message_id")) {
            int index = 1;
            for (MessageKey key : keys) {
                dedupe.setString(index++, key.channelId());
                dedupe.setString(index++, key.messageId());
                dedupe.setLong(index++, acceptedAt);
            }
            dedupe.setLong(index, forgottenAt);
            try (ResultSet rows = dedupe.executeQuery()) {
                while (rows.next()) {
                    isNew.add(new MessageKey(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return isNew;
    }

    /** Inserts the new messages' inbox entries; returns the sequence of each. */
    private Map<MessageKey, Long> insertInbox(Connection connection, List<InboundMessage> fresh, long acceptedAt)
            throws SQLException {
        Map<MessageKey, Long> sequences = new HashMap<>();
        try (PreparedStatement inbox = prepare(
                connection,
                "INSERT INTO sb_inbox (channel_id, counterpart, message_id, recipient, body, attachments,"
                        + " extras, received_at, accepted_at) VALUES " + rows(fresh.size(), 9)
                        + " RETURNING seq, channel_id, message_id")) {
            int index = 1;
            for (InboundMessage message : fresh) {
                inbox.setString(index++, message.channelId());
                inbox.setString(index++, message.from().value());
                inbox.setString(index++, message.id());
                inbox.setString(index++, message.to().value());
                inbox.setString(index++, dialect.text(message.text()));
                inbox.setString(index++, JsonText.attachments(message.attachments()));
                inbox.setString(index++, JsonText.extras(message.extras()));
                inbox.setLong(index++, millis(message.receivedAt()));
                inbox.setLong(index++, acceptedAt);
            }
            try (ResultSet rows = inbox.executeQuery()) {
                while (rows.next()) {
                    sequences.put(new MessageKey(rows.getString(2), rows.getString(3)), rows.getLong(1));
                }
            }
        }
        if (sequences.size() != fresh.size()) {
            throw new SQLException("inserted " + fresh.size() + " inbox entries, the database returned "
                    + sequences.size() + " sequences");
        }
        return sequences;
    }

    /**
     * Takes the leases of the conversations for {@code owner} where no other owner holds a live one,
     * and looks whether each taken one has entries older than this batch's waiting.
     */
    private Map<ConversationKey, Boolean> lease(
            Connection connection, Map<ConversationKey, Long> firstSequence, String owner, Instant now, Duration ttl)
            throws SQLException {
        Set<ConversationKey> taken = new HashSet<>();
        try (PreparedStatement upsert = prepare(
                connection,
                "INSERT INTO sb_lease (channel_id, counterpart, owner, expires_at) VALUES "
                        + rows(firstSequence.size(), 4)
                        + " ON CONFLICT (channel_id, counterpart) DO UPDATE"
                        + " SET owner = excluded.owner, expires_at = excluded.expires_at"
                        + " WHERE sb_lease.owner = excluded.owner OR sb_lease.expires_at <= ?"
                        + " RETURNING channel_id, counterpart")) {
            int index = 1;
            long expiresAt = millis(plus(now, ttl));
            for (ConversationKey conversation : firstSequence.keySet()) {
                upsert.setString(index++, conversation.channelId());
                upsert.setString(index++, conversation.counterpart().value());
                upsert.setString(index++, owner);
                upsert.setLong(index++, expiresAt);
            }
            upsert.setLong(index, millis(now));
            conversations(upsert, taken);
        }
        if (taken.isEmpty()) {
            return Map.of();
        }
        Set<ConversationKey> older = new HashSet<>();
        // A scalar subquery, which the planner runs for each row: one probe of the conversation index
        // each. (As a join it may scan the table, which holds every entry done since its last vacuum.)
        try (PreparedStatement select = prepare(
                connection,
                "SELECT v.column1, v.column2 FROM (VALUES " + rows(taken.size(), 3) + ") AS v"
                        + " WHERE (SELECT MIN(i.seq) FROM sb_inbox i WHERE i.channel_id = v.column1"
                        + " AND i.counterpart = v.column2) < v.column3")) {
            int index = 1;
            for (ConversationKey conversation : taken) {
                select.setString(index++, conversation.channelId());
                select.setString(index++, conversation.counterpart().value());
                select.setLong(index++, firstSequence.get(conversation));
            }
            conversations(select, older);
        }
        Map<ConversationKey, Boolean> leased = new HashMap<>();
        for (ConversationKey conversation : taken) {
            leased.put(conversation, !older.contains(conversation));
        }
        return leased;
    }

    @Override
    public List<ConversationKey> waitingConversations(Instant now, int limit) {
        requireNonNull(now, "now");
        if (limit <= 0) {
            return List.of();
        }
        return query(() -> "list the waiting conversations", connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT i.channel_id, i.counterpart, MIN(i.seq) AS first_seq FROM sb_inbox i"
                            + " WHERE NOT EXISTS (SELECT 1 FROM sb_lease l WHERE l.channel_id = i.channel_id"
                            + " AND l.counterpart = i.counterpart AND l.expires_at > ?)"
                            + " GROUP BY i.channel_id, i.counterpart ORDER BY first_seq LIMIT ?")) {
                select.setLong(1, millis(now));
                select.setInt(2, limit);
                List<ConversationKey> waiting = new ArrayList<>();
                conversations(select, waiting);
                return waiting;
            }
        });
    }

    @Override
    public List<InboxEntry> pending(ConversationKey conversation, int limit) {
        requireNonNull(conversation, "conversation");
        if (limit <= 0) {
            return List.of();
        }
        return query(() -> "read the pending messages of " + conversation, connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT " + INBOX_COLUMNS + " FROM sb_inbox WHERE channel_id = ? AND counterpart = ?"
                            + " ORDER BY seq LIMIT ?")) {
                select.setString(1, conversation.channelId());
                select.setString(2, conversation.counterpart().value());
                select.setInt(3, limit);
                List<InboxEntry> pending = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        pending.add(inboxEntry(rows));
                    }
                }
                return pending;
            }
        });
    }

    private static InboxEntry inboxEntry(ResultSet rows) throws SQLException {
        InboundMessage message = new InboundMessage(
                rows.getString("message_id"),
                rows.getString("channel_id"),
                Address.of(rows.getString("counterpart")),
                Address.of(rows.getString("recipient")),
                rows.getString("body"),
                JsonText.parseAttachments(rows.getString("attachments")),
                Instant.ofEpochMilli(rows.getLong("received_at")),
                JsonText.parseExtras(rows.getString("extras")));
        return new InboxEntry(rows.getLong("seq"), message, Instant.ofEpochMilli(rows.getLong("accepted_at")));
    }

    /** Deletes the entry: its dedupe record keeps a redelivery out, nothing else reads it again. */
    @Override
    public void done(InboxEntry entry, Instant now) {
        requireNonNull(entry, "entry");
        transaction(() -> "mark inbox entry " + entry.sequence() + " done", connection -> {
            try (PreparedStatement delete = prepare(connection, "DELETE FROM sb_inbox WHERE seq = ?");
                    PreparedStatement outbox = prepare(connection, "DELETE FROM sb_outbox WHERE entry_seq = ?")) {
                delete.setLong(1, entry.sequence());
                outbox.setLong(1, entry.sequence());
                return delete.executeUpdate() + outbox.executeUpdate();
            }
        });
    }

    /**
     * Deletes the entries and their outboxes and, of the conversations to release, the owner's leases
     * where nothing waits, in one transaction. The lease rows are locked first (in the order
     * acceptances lock them): an acceptance of one of these conversations under way elsewhere (which
     * locks the row too, to take or test the lease) commits before the look for waiting entries,
     * which then sees its entry; a later one finds no lease and takes it.
     */
    @Override
    public Set<ConversationKey> settle(
            Collection<InboxEntry> done, Collection<ConversationKey> release, String owner, Instant now) {
        requireNonNull(owner, "owner");
        List<Long> sequences =
                done.stream().map(InboxEntry::sequence).distinct().toList();
        Set<ConversationKey> conversations = new TreeSet<>(CONVERSATION_ORDER);
        conversations.addAll(release);
        if (sequences.isEmpty() && conversations.isEmpty()) {
            return Set.of();
        }
        String what = "mark " + sequences.size() + " inbox entries done";
        return transaction(() -> what, connection -> {
            if (!sequences.isEmpty()) {
                String in = "(" + "?, ".repeat(sequences.size() - 1) + "?)";
                try (PreparedStatement delete = prepare(connection, "DELETE FROM sb_inbox WHERE seq IN " + in);
                        PreparedStatement outbox =
                                prepare(connection, "DELETE FROM sb_outbox WHERE entry_seq IN " + in)) {
                    for (int i = 0; i < sequences.size(); i++) {
                        delete.setLong(i + 1, sequences.get(i));
                        outbox.setLong(i + 1, sequences.get(i));
                    }
                    delete.executeUpdate();
                    outbox.executeUpdate();
                }
                if (keepsHistory()) {
                    Set<ConversationKey> settled = new TreeSet<>(CONVERSATION_ORDER);
                    done.forEach(entry -> settled.add(entry.message().conversation()));
                    try (HistoryWriter history = new HistoryWriter(connection)) {
                        history.trim(settled);
                    }
                }
            }
            if (conversations.isEmpty()) {
                return Set.of();
            }
            // Locked one row after another in the order of the rows (a subquery that locks is run for
            // each row, never made a join), which is the order acceptances lock them in.
            List<ConversationKey> held = new ArrayList<>();
            try (PreparedStatement lock = prepare(
                    connection,
                    "SELECT v.column1, v.column2 FROM (VALUES " + rows(conversations.size(), 2) + ") AS v"
                            + " WHERE EXISTS (SELECT 1 FROM sb_lease l WHERE l.channel_id = v.column1"
                            + " AND l.counterpart = v.column2 AND l.owner = ?" + dialect.lockRows() + ")")) {
                setConversations(lock, 1, conversations);
                lock.setString(conversations.size() * 2 + 1, owner);
                conversations(lock, held);
            }
            if (held.isEmpty()) {
                // None is this owner's (any more): nothing to give up, nothing for it to run.
                return Set.of();
            }
            // The look for waiting entries in a statement after the lock: it sees what committed meanwhile.
            Set<ConversationKey> kept = new HashSet<>();
            try (PreparedStatement delete = prepare(
                    connection,
                    "DELETE FROM sb_lease WHERE channel_id = ? AND counterpart = ? AND owner = ? AND NOT EXISTS"
                            + " (SELECT 1 FROM sb_inbox WHERE channel_id = ? AND counterpart = ?)")) {
                for (ConversationKey conversation : held) {
                    delete.setString(1, conversation.channelId());
                    delete.setString(2, conversation.counterpart().value());
                    delete.setString(3, owner);
                    delete.setString(4, conversation.channelId());
                    delete.setString(5, conversation.counterpart().value());
                    delete.addBatch();
                }
                int[] deleted = delete.executeBatch();
                for (int i = 0; i < deleted.length; i++) {
                    if (deleted[i] == 0) {
                        kept.add(held.get(i));
                    }
                }
            }
            return kept;
        });
    }

    /** Those of the conversations whose person opted out. */
    private Set<ConversationKey> optedOut(Connection connection, Set<ConversationKey> conversations)
            throws SQLException {
        if (conversations.isEmpty()) {
            return Set.of();
        }
        Set<ConversationKey> optedOut = new HashSet<>();
        try (PreparedStatement select = prepare(
                connection,
                "SELECT channel_id, counterpart FROM sb_opt_out WHERE (channel_id, counterpart) IN (VALUES "
                        + rows(conversations.size(), 2) + ")")) {
            setConversations(select, 1, conversations);
            conversations(select, optedOut);
        }
        return optedOut;
    }

    /** Runs the query and adds the conversation of each row (channel id and counterpart, its first columns). */
    private static void conversations(PreparedStatement query, Collection<ConversationKey> into) throws SQLException {
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                into.add(new ConversationKey(rows.getString(1), Address.of(rows.getString(2))));
            }
        }
    }

    private static void setConversations(
            PreparedStatement statement, int from, Collection<ConversationKey> conversations) throws SQLException {
        int index = from;
        for (ConversationKey conversation : conversations) {
            statement.setString(index++, conversation.channelId());
            statement.setString(index++, conversation.counterpart().value());
        }
    }

    // ---------------------------------------------------------------- outbox

    @Override
    public void recordParts(long entrySequence, int message, List<String> texts) {
        requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return;
        }
        transaction(() -> "record " + texts.size() + " parts of inbox entry " + entrySequence, connection -> {
            try (PreparedStatement insert = prepare(
                    connection,
                    "INSERT INTO sb_outbox (entry_seq, message_no, part_no, body, state) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (entry_seq, message_no, part_no) DO NOTHING")) {
                int inserted = 0;
                for (int i = 0; i < texts.size(); i++) {
                    insert.setLong(1, entrySequence);
                    insert.setInt(2, message);
                    insert.setInt(3, i);
                    insert.setString(4, dialect.text(texts.get(i)));
                    insert.setString(5, OutboxPart.State.PENDING.name());
                    inserted += insert.executeUpdate();
                }
                return inserted;
            }
        });
    }

    @Override
    public void partSending(long entrySequence, int message, int part, Instant at) {
        requireNonNull(at, "at");
        update(() -> "mark part " + part + " of inbox entry " + entrySequence + " sending", connection -> {
            try (PreparedStatement update = prepare(
                    connection,
                    "UPDATE sb_outbox SET state = ?, attempt_at = ? WHERE entry_seq = ? AND message_no = ?"
                            + " AND part_no = ? AND state <> ?")) {
                update.setString(1, OutboxPart.State.SENDING.name());
                update.setLong(2, millis(at));
                update.setLong(3, entrySequence);
                update.setInt(4, message);
                update.setInt(5, part);
                update.setString(6, OutboxPart.State.ACCEPTED.name());
                return update.executeUpdate();
            }
        });
    }

    @Override
    public void partAccepted(long entrySequence, int message, int part, String messageId) {
        requireNonNull(messageId, "messageId");
        update(() -> "mark part " + part + " of inbox entry " + entrySequence + " accepted", connection -> {
            try (PreparedStatement update = prepare(
                    connection,
                    "UPDATE sb_outbox SET state = ?, message_id = ? WHERE entry_seq = ? AND message_no = ?"
                            + " AND part_no = ?")) {
                update.setString(1, OutboxPart.State.ACCEPTED.name());
                update.setString(2, messageId);
                update.setLong(3, entrySequence);
                update.setInt(4, message);
                update.setInt(5, part);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public List<OutboxPart> outbox(long entrySequence) {
        return query(() -> "read the outbox of inbox entry " + entrySequence, connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT message_no, part_no, body, state, message_id, attempt_at FROM sb_outbox"
                            + " WHERE entry_seq = ? ORDER BY message_no, part_no")) {
                select.setLong(1, entrySequence);
                List<OutboxPart> parts = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long attempt = rows.getLong(6);
                        boolean attempted = !rows.wasNull();
                        parts.add(new OutboxPart(
                                entrySequence,
                                rows.getInt(1),
                                rows.getInt(2),
                                rows.getString(3),
                                OutboxPart.State.valueOf(rows.getString(4)),
                                Optional.ofNullable(rows.getString(5)),
                                attempted ? Optional.of(Instant.ofEpochMilli(attempt)) : Optional.empty()));
                    }
                }
                return parts;
            }
        });
    }

    // ---------------------------------------------------------------- leases

    @Override
    public boolean lease(ConversationKey conversation, String owner, Instant now, Duration ttl) {
        requireNonNull(conversation, "conversation");
        requireNonNull(owner, "owner");
        requireNonNull(now, "now");
        requireNonNull(ttl, "ttl");
        int taken = update(() -> "take the lease of " + conversation, connection -> {
            try (PreparedStatement upsert = prepare(
                    connection,
                    "INSERT INTO sb_lease (channel_id, counterpart, owner, expires_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (channel_id, counterpart) DO UPDATE"
                            + " SET owner = excluded.owner, expires_at = excluded.expires_at"
                            + " WHERE sb_lease.owner = excluded.owner OR sb_lease.expires_at <= ?")) {
                upsert.setString(1, conversation.channelId());
                upsert.setString(2, conversation.counterpart().value());
                upsert.setString(3, owner);
                upsert.setLong(4, millis(plus(now, ttl)));
                upsert.setLong(5, millis(now));
                return upsert.executeUpdate();
            }
        });
        return taken == 1;
    }

    @Override
    public void release(ConversationKey conversation, String owner) {
        requireNonNull(conversation, "conversation");
        requireNonNull(owner, "owner");
        update(() -> "release the lease of " + conversation, connection -> {
            try (PreparedStatement delete = prepare(
                    connection, "DELETE FROM sb_lease WHERE channel_id = ? AND counterpart = ? AND owner = ?")) {
                delete.setString(1, conversation.channelId());
                delete.setString(2, conversation.counterpart().value());
                delete.setString(3, owner);
                return delete.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- history

    @Override
    public void record(HistoryEntry entry) {
        requireNonNull(entry, "entry");
        if (!keepsHistory()) {
            return;
        }
        transaction(() -> "record a line of " + entry.conversation(), connection -> {
            try (HistoryWriter history = new HistoryWriter(connection)) {
                history.add(entry);
            }
            return null;
        });
    }

    private boolean keepsHistory() {
        return !settings.historyRetention().isZero();
    }

    /** Adds lines and drops the oldest of their conversations beyond the bound, in the caller's transaction. */
    private final class HistoryWriter implements AutoCloseable {

        private final Connection connection;
        private final PreparedStatement trimStatement;

        HistoryWriter(Connection connection) throws SQLException {
            this.connection = connection;
            // The subquery walks the conversation's newest lines on the index and finds none (so
            // deletes nothing) until the conversation has more than the bound.
            trimStatement = prepare(
                    connection,
                    "DELETE FROM sb_history WHERE channel_id = ? AND counterpart = ? AND id <= ("
                            + "SELECT id FROM sb_history WHERE channel_id = ? AND counterpart = ?"
                            + " ORDER BY id DESC LIMIT 1 OFFSET ?)");
        }

        void add(HistoryEntry entry) throws SQLException {
            addAll(List.of(entry), true);
        }

        /** One statement for the lines, then (if asked) one trim of each of their conversations, in one batch. */
        void addAll(List<HistoryEntry> entries, boolean trimNow) throws SQLException {
            try (PreparedStatement insert = prepare(
                    connection,
                    "INSERT INTO sb_history (channel_id, counterpart, direction, body, at, message_id, status)"
                            + " VALUES " + rows(entries.size(), 7))) {
                int index = 1;
                for (HistoryEntry entry : entries) {
                    insert.setString(index++, entry.conversation().channelId());
                    insert.setString(index++, entry.conversation().counterpart().value());
                    insert.setString(index++, entry.direction().name());
                    insert.setString(index++, dialect.text(entry.text()));
                    insert.setLong(index++, millis(entry.at()));
                    setOptional(insert, index++, entry.messageId());
                    setOptional(insert, index++, entry.status());
                }
                insert.executeUpdate();
            }
            if (trimNow) {
                Set<ConversationKey> conversations = new TreeSet<>(CONVERSATION_ORDER);
                for (HistoryEntry entry : entries) {
                    conversations.add(entry.conversation());
                }
                trim(conversations);
            }
        }

        /** Drops the oldest lines of each conversation beyond the bound. */
        void trim(Collection<ConversationKey> conversations) throws SQLException {
            for (ConversationKey conversation : conversations) {
                trimStatement.setString(1, conversation.channelId());
                trimStatement.setString(2, conversation.counterpart().value());
                trimStatement.setString(3, conversation.channelId());
                trimStatement.setString(4, conversation.counterpart().value());
                trimStatement.setInt(5, settings.historyPerConversation());
                trimStatement.addBatch();
            }
            trimStatement.executeBatch();
        }

        @Override
        public void close() throws SQLException {
            trimStatement.close();
        }
    }

    @Override
    public void updateStatus(String channelId, String messageId, String status) {
        requireNonNull(channelId, "channelId");
        requireNonNull(messageId, "messageId");
        requireNonNull(status, "status");
        update(() -> "update the status of message " + messageId, connection -> {
            try (PreparedStatement update = prepare(
                    connection,
                    "UPDATE sb_history SET status = ? WHERE channel_id = ? AND message_id = ? AND direction = ?")) {
                update.setString(1, status);
                update.setString(2, channelId);
                update.setString(3, messageId);
                update.setString(4, OUTBOUND);
                return update.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- outbound cap

    @Override
    public OutboundCharge charge(ConversationKey recipient, Instant at, int cost, int cap, Instant windowStart) {
        requireNonNull(recipient, "recipient");
        requireNonNull(at, "at");
        requireNonNull(windowStart, "windowStart");
        return transaction(() -> "charge a part to " + recipient, connection -> {
            dialect.lockKey(
                    connection,
                    "sb_charge:" + recipient.channelId() + ":"
                            + recipient.counterpart().value());
            long charged;
            try (PreparedStatement sum = prepare(
                    connection,
                    "SELECT COALESCE(SUM(cost), 0) FROM sb_charge WHERE channel_id = ? AND counterpart = ?"
                            + " AND charged_at > ?")) {
                sum.setString(1, recipient.channelId());
                sum.setString(2, recipient.counterpart().value());
                sum.setLong(3, millis(windowStart));
                try (ResultSet rows = sum.executeQuery()) {
                    rows.next();
                    charged = rows.getLong(1);
                }
            }
            if (charged + cost > cap) {
                return new OutboundCharge(false, charged, 0);
            }
            try (PreparedStatement insert = prepare(
                    connection,
                    "INSERT INTO sb_charge (channel_id, counterpart, charged_at, cost) VALUES (?, ?, ?, ?)"
                            + " RETURNING id")) {
                insert.setString(1, recipient.channelId());
                insert.setString(2, recipient.counterpart().value());
                insert.setLong(3, millis(at));
                insert.setInt(4, cost);
                try (ResultSet rows = insert.executeQuery()) {
                    rows.next();
                    return new OutboundCharge(true, charged, rows.getLong(1));
                }
            }
        });
    }

    @Override
    public void refund(long chargeId) {
        update(() -> "refund charge " + chargeId, connection -> {
            try (PreparedStatement delete = prepare(connection, "DELETE FROM sb_charge WHERE id = ?")) {
                delete.setLong(1, chargeId);
                return delete.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- delivery reports

    /** How many message ids one look-up of reports names at most. */
    private static final int RECEIPTS_PER_QUERY = 100;

    @Override
    public void recordReceipt(DeliveryReceipt receipt) {
        requireNonNull(receipt, "receipt");
        update(() -> "record the delivery report of message " + receipt.messageId(), connection -> {
            try (PreparedStatement upsert = prepare(
                    connection,
                    "INSERT INTO sb_receipt (channel_id, message_id, recipient, status, status_rank, error_code,"
                            + " received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, message_id) DO"
                            + " UPDATE SET recipient = excluded.recipient, status = excluded.status, status_rank ="
                            + " excluded.status_rank, error_code = excluded.error_code, received_at ="
                            + " excluded.received_at WHERE sb_receipt.status_rank < excluded.status_rank")) {
                upsert.setString(1, receipt.channelId());
                upsert.setString(2, receipt.messageId());
                upsert.setString(3, receipt.to().value());
                upsert.setString(4, receipt.status().name());
                upsert.setInt(5, receipt.status().rank());
                setOptional(upsert, 6, receipt.errorCode());
                upsert.setLong(7, millis(receipt.receivedAt()));
                return upsert.executeUpdate();
            }
        });
    }

    @Override
    public List<DeliveryReceipt> receipts(String channelId, Collection<String> messageIds) {
        requireNonNull(channelId, "channelId");
        List<String> ids = List.copyOf(messageIds);
        List<DeliveryReceipt> found = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += RECEIPTS_PER_QUERY) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + RECEIPTS_PER_QUERY));
            found.addAll(query(() -> "read the delivery reports of " + chunk.size() + " messages", connection -> {
                String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement select = prepare(
                        connection,
                        "SELECT message_id, recipient, status, error_code, received_at FROM sb_receipt"
                                + " WHERE channel_id = ? AND message_id IN (" + marks + ")")) {
                    select.setString(1, channelId);
                    for (int i = 0; i < chunk.size(); i++) {
                        select.setString(i + 2, chunk.get(i));
                    }
                    List<DeliveryReceipt> rows = new ArrayList<>();
                    try (ResultSet result = select.executeQuery()) {
                        while (result.next()) {
                            rows.add(new DeliveryReceipt(
                                    result.getString(1),
                                    channelId,
                                    Address.of(result.getString(2)),
                                    DeliveryStatus.valueOf(result.getString(3)),
                                    Optional.ofNullable(result.getString(4)),
                                    Instant.ofEpochMilli(result.getLong(5))));
                        }
                    }
                    return rows;
                }
            }));
        }
        return found;
    }

    @Override
    public List<HistoryEntry> history(ConversationKey conversation, int limit) {
        requireNonNull(conversation, "conversation");
        if (limit <= 0) {
            return List.of();
        }
        return query(() -> "read the history of " + conversation, connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT direction, body, at, message_id, status FROM sb_history"
                            + " WHERE channel_id = ? AND counterpart = ? ORDER BY id DESC LIMIT ?")) {
                select.setString(1, conversation.channelId());
                select.setString(2, conversation.counterpart().value());
                select.setInt(3, limit);
                List<HistoryEntry> lines = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        lines.add(new HistoryEntry(
                                conversation,
                                INBOUND.equals(rows.getString(1))
                                        ? HistoryEntry.Direction.INBOUND
                                        : HistoryEntry.Direction.OUTBOUND,
                                rows.getString(2),
                                Instant.ofEpochMilli(rows.getLong(3)),
                                Optional.ofNullable(rows.getString(4)),
                                Optional.ofNullable(rows.getString(5))));
                    }
                }
                Collections.reverse(lines);
                return lines;
            }
        });
    }

    @Override
    public List<ConversationSummary> conversations(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return query(() -> "list the conversations", connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT channel_id, counterpart, MAX(at) AS last_at, COUNT(*) AS lines FROM sb_history"
                            + " GROUP BY channel_id, counterpart ORDER BY last_at DESC, MAX(id) DESC LIMIT ?")) {
                select.setInt(1, limit);
                List<ConversationSummary> conversations = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        conversations.add(new ConversationSummary(
                                new ConversationKey(rows.getString(1), Address.of(rows.getString(2))),
                                Instant.ofEpochMilli(rows.getLong(3)),
                                rows.getLong(4)));
                    }
                }
                return conversations;
            }
        });
    }

    // ---------------------------------------------------------------- opt-outs

    @Override
    public boolean isOptedOut(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        return query(() -> "read the opt-out of " + conversation, connection -> {
            try (PreparedStatement select =
                    prepare(connection, "SELECT 1 FROM sb_opt_out WHERE channel_id = ? AND counterpart = ?")) {
                select.setString(1, conversation.channelId());
                select.setString(2, conversation.counterpart().value());
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    @Override
    public void optOut(ConversationKey conversation, Instant at) {
        requireNonNull(conversation, "conversation");
        requireNonNull(at, "at");
        update(() -> "record the opt-out of " + conversation, connection -> {
            try (PreparedStatement insert = prepare(
                    connection,
                    "INSERT INTO sb_opt_out (channel_id, counterpart, opted_out_at) VALUES (?, ?, ?)"
                            + " ON CONFLICT (channel_id, counterpart) DO NOTHING")) {
                insert.setString(1, conversation.channelId());
                insert.setString(2, conversation.counterpart().value());
                insert.setLong(3, millis(at));
                return insert.executeUpdate();
            }
        });
    }

    @Override
    public void optIn(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        update(() -> "record the opt-in of " + conversation, connection -> {
            try (PreparedStatement delete =
                    prepare(connection, "DELETE FROM sb_opt_out WHERE channel_id = ? AND counterpart = ?")) {
                delete.setString(1, conversation.channelId());
                delete.setString(2, conversation.counterpart().value());
                return delete.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- messaging windows

    @Override
    public Optional<Instant> lastInbound(ConversationKey conversation) {
        requireNonNull(conversation, "conversation");
        return query(() -> "read the window of " + conversation, connection -> {
            try (PreparedStatement select = prepare(
                    connection, "SELECT last_inbound FROM sb_window WHERE channel_id = ? AND counterpart = ?")) {
                select.setString(1, conversation.channelId());
                select.setString(2, conversation.counterpart().value());
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(Instant.ofEpochMilli(rows.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void recordInbound(ConversationKey conversation, Instant at) {
        requireNonNull(conversation, "conversation");
        requireNonNull(at, "at");
        update(() -> "record the window of " + conversation, connection -> {
            try (PreparedStatement upsert = prepare(
                    connection,
                    "INSERT INTO sb_window (channel_id, counterpart, last_inbound) VALUES (?, ?, ?)"
                            + " ON CONFLICT (channel_id, counterpart) DO UPDATE SET last_inbound = excluded.last_inbound"
                            + " WHERE sb_window.last_inbound < excluded.last_inbound")) {
                upsert.setString(1, conversation.channelId());
                upsert.setString(2, conversation.counterpart().value());
                upsert.setLong(3, millis(at));
                return upsert.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- schedules

    @Override
    public boolean claimFire(String scheduleId, Instant fireTime, String owner, Instant now) {
        requireNonNull(scheduleId, "scheduleId");
        requireNonNull(fireTime, "fireTime");
        requireNonNull(owner, "owner");
        requireNonNull(now, "now");
        int claimed = update(() -> "claim a fire time of schedule " + scheduleId, connection -> {
            try (PreparedStatement insert = prepare(
                    connection,
                    "INSERT INTO sb_schedule_claim (schedule_id, fire_time, owner, claimed_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (schedule_id, fire_time) DO NOTHING")) {
                insert.setString(1, scheduleId);
                insert.setLong(2, millis(fireTime));
                insert.setString(3, owner);
                insert.setLong(4, millis(now));
                return insert.executeUpdate();
            }
        });
        return claimed == 1;
    }

    // ---------------------------------------------------------------- keyed records

    /** What makes a row live at the time of the statement's last parameter. */
    private static final String LIVE = "(expires_at IS NULL OR expires_at > ?)";

    @Override
    public Optional<String> record(String kind, String key, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(now, "now");
        return query(() -> "read a record of kind " + kind, connection -> {
            try (PreparedStatement select =
                    prepare(connection, "SELECT value FROM sb_record WHERE kind = ? AND record_key = ? AND " + LIVE)) {
                select.setString(1, kind);
                select.setString(2, key);
                select.setLong(3, millis(now));
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<StoredRecord> records(String kind, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(now, "now");
        return query(() -> "read the records of kind " + kind, connection -> {
            try (PreparedStatement select = prepare(
                    connection,
                    "SELECT record_key, value, expires_at FROM sb_record WHERE kind = ? AND " + LIVE
                            + " ORDER BY record_key")) {
                select.setString(1, kind);
                select.setLong(2, millis(now));
                List<StoredRecord> found = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long expiresAt = rows.getLong(3);
                        Optional<Instant> expiry =
                                rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiresAt));
                        found.add(new StoredRecord(kind, rows.getString(1), rows.getString(2), expiry));
                    }
                }
                // The database orders by its collation; the contract is the order of Java strings.
                found.sort(Comparator.comparing(StoredRecord::key));
                return found;
            }
        });
    }

    @Override
    public void putRecord(String kind, String key, String value, Optional<Instant> expiresAt) {
        StoredRecord record = new StoredRecord(kind, key, value, expiresAt);
        update(() -> "write a record of kind " + kind, connection -> {
            try (PreparedStatement upsert = prepare(
                    connection,
                    "INSERT INTO sb_record (kind, record_key, value, expires_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (kind, record_key) DO UPDATE"
                            + " SET value = excluded.value, expires_at = excluded.expires_at")) {
                setRecord(upsert, record);
                return upsert.executeUpdate();
            }
        });
    }

    @Override
    public boolean insertRecord(String kind, String key, String value, Optional<Instant> expiresAt, Instant now) {
        StoredRecord record = new StoredRecord(kind, key, value, expiresAt);
        requireNonNull(now, "now");
        int inserted = update(() -> "insert a record of kind " + kind, connection -> {
            try (PreparedStatement upsert = prepare(
                    connection,
                    "INSERT INTO sb_record (kind, record_key, value, expires_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (kind, record_key) DO UPDATE"
                            + " SET value = excluded.value, expires_at = excluded.expires_at"
                            + " WHERE sb_record.expires_at IS NOT NULL AND sb_record.expires_at <= ?")) {
                setRecord(upsert, record);
                upsert.setLong(5, millis(now));
                return upsert.executeUpdate();
            }
        });
        return inserted == 1;
    }

    @Override
    public Optional<String> takeRecord(String kind, String key, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        requireNonNull(now, "now");
        return query(() -> "take a record of kind " + kind, connection -> {
            // One statement: of two takes, the second finds the row gone.
            try (PreparedStatement delete = prepare(
                    connection,
                    "DELETE FROM sb_record WHERE kind = ? AND record_key = ? AND " + LIVE + " RETURNING value")) {
                delete.setString(1, kind);
                delete.setString(2, key);
                delete.setLong(3, millis(now));
                try (ResultSet rows = delete.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean deleteRecord(String kind, String key) {
        requireNonNull(kind, "kind");
        requireNonNull(key, "key");
        int deleted = update(() -> "delete a record of kind " + kind, connection -> {
            try (PreparedStatement delete =
                    prepare(connection, "DELETE FROM sb_record WHERE kind = ? AND record_key = ?")) {
                delete.setString(1, kind);
                delete.setString(2, key);
                return delete.executeUpdate();
            }
        });
        return deleted > 0;
    }

    private void setRecord(PreparedStatement statement, StoredRecord record) throws SQLException {
        statement.setString(1, record.kind());
        statement.setString(2, record.key());
        statement.setString(3, dialect.text(record.value()));
        if (record.expiresAt().isPresent()) {
            statement.setLong(4, millis(record.expiresAt().get()));
        } else {
            statement.setNull(4, Types.BIGINT);
        }
    }

    // ---------------------------------------------------------------- housekeeping

    @Override
    public int purge(Instant now) {
        requireNonNull(now, "now");
        long dedupeBefore = millis(now.minus(settings.dedupeRetention()));
        long historyBefore = millis(now.minus(settings.historyRetention()));
        return transaction(() -> "purge", connection -> {
            int removed = 0;
            removed += delete(connection, "DELETE FROM sb_dedupe WHERE accepted_at <= ?", dedupeBefore);
            removed += delete(connection, "DELETE FROM sb_history WHERE at <= ?", historyBefore);
            removed += delete(connection, "DELETE FROM sb_schedule_claim WHERE claimed_at <= ?", dedupeBefore);
            removed += delete(connection, "DELETE FROM sb_receipt WHERE received_at <= ?", dedupeBefore);
            removed += delete(
                    connection,
                    "DELETE FROM sb_charge WHERE charged_at <= ?",
                    millis(now.minus(InMemoryStore.CHARGE_RETENTION)));
            removed += delete(connection, "DELETE FROM sb_lease WHERE expires_at <= ?", millis(now));
            removed += delete(connection, "DELETE FROM sb_record WHERE expires_at <= ?", millis(now));
            return removed;
        });
    }

    private int delete(Connection connection, String sql, long before) throws SQLException {
        try (PreparedStatement delete = prepare(connection, sql)) {
            delete.setLong(1, before);
            return delete.executeUpdate();
        }
    }

    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                log.warn("Store {}: closing its connection pool failed: {}", description, failure(e));
            }
        }
    }

    // ---------------------------------------------------------------- JDBC

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Reads with auto-commit: one statement, its own snapshot. */
    private <T> T query(Supplier<String> what, Work<T> work) {
        try (Connection connection = connection()) {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            throw failure(what, e);
        }
    }

    /**
     * One statement that writes, with auto-commit: its own transaction on both databases. (SQLite
     * waits for the write lock when a statement that writes is the first of its transaction, as it is
     * here; only a transaction that has read already cannot wait.)
     */
    private int update(Supplier<String> what, Work<Integer> work) {
        return query(what, work);
    }

    /**
     * Runs {@code work} in one transaction, again (up to {@link #ATTEMPTS} times) when PostgreSQL
     * aborted it to break a deadlock or a serialization conflict: the work has no effect outside the
     * transaction, so running it again is safe.
     */
    private <T> T transaction(Supplier<String> what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = connection()) {
                dialect.begin(connection);
                boolean committed = false;
                try {
                    T result = work.run(connection);
                    dialect.commit(connection);
                    committed = true;
                    return result;
                } finally {
                    if (!committed) {
                        rollbackQuietly(connection);
                    }
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retriable(e)) {
                    log.debug("Store {}: could not {}, attempt {}: {}", description, what.get(), attempt, failure(e));
                    continue;
                }
                throw failure(what, e);
            } catch (NewerSchemaException e) {
                throw e;
            } catch (RuntimeException e) {
                throw failure(what, e);
            }
        }
    }

    private Connection connection() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            if (!connection.getAutoCommit()) {
                // An application's pool may hand out connections in manual commit; ours needs auto-commit.
                connection.setAutoCommit(true);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void rollbackQuietly(Connection connection) {
        try {
            dialect.rollback(connection);
        } catch (SQLException | RuntimeException e) {
            log.warn("Store {}: rollback failed: {}", description, failure(e));
        }
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        if (!statementTimeouts) {
            return statement;
        }
        try {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static void setOptional(PreparedStatement statement, int index, Optional<String> value)
            throws SQLException {
        if (value.isPresent()) {
            statement.setString(index, value.get());
        } else {
            statement.setNull(index, Types.VARCHAR);
        }
    }

    /** PostgreSQL's deadlock_detected and serialization_failure. */
    private static boolean retriable(SQLException e) {
        return "40P01".equals(e.getSQLState()) || "40001".equals(e.getSQLState());
    }

    private StoreException failure(Supplier<String> what, Exception e) {
        return new StoreException("could not " + what.get() + ": " + failure(e), redacted(e));
    }

    /**
     * One line about a failure: its class, SQLState and the first line of its message, and the same
     * of its cause when that is what explains it (a pool's timeout caused by a refused connection).
     * Only the first line: PostgreSQL's detail lines may quote a row's values.
     */
    static String failure(Throwable e) {
        StringBuilder line = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            line.append(" (SQLState ").append(sql.getSQLState()).append(')');
        }
        if (e.getMessage() != null) {
            line.append(": ").append(firstLine(e.getMessage()));
        }
        Throwable cause = e.getCause();
        if (cause != null
                && cause != e
                && (cause instanceof SQLException || cause instanceof IOException)
                && (cause.getMessage() == null || !line.toString().contains(firstLine(cause.getMessage())))) {
            line.append("; caused by ").append(failure(cause));
        }
        return line.toString();
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    /**
     * The cause a {@link StoreException} carries: an SQL failure with its message cut to the first
     * line (its stack trace and causes kept), so that a logged stack trace shows no row's values
     * either. A driver's other exceptions are kept as they are.
     */
    static Throwable redacted(Throwable e) {
        if (!(e instanceof SQLException sql)
                || e.getMessage() == null
                || e.getMessage().indexOf('\n') < 0) {
            return e;
        }
        SQLException copy = new SQLException(
                e.getClass().getName() + ": " + firstLine(e.getMessage()),
                sql.getSQLState(),
                sql.getErrorCode(),
                e.getCause());
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    /** Epoch milliseconds, the far past and future clamped to what a BIGINT holds. */
    private static long millis(Instant instant) {
        try {
            return instant.toEpochMilli();
        } catch (ArithmeticException e) {
            return instant.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static Instant plus(Instant now, Duration ttl) {
        try {
            return now.plus(ttl);
        } catch (ArithmeticException | java.time.DateTimeException e) {
            return ttl.isNegative() ? Instant.MIN : Instant.MAX;
        }
    }
}
