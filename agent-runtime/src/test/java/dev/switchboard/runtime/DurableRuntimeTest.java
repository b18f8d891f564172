package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.store.DurableTestStore;
import dev.switchboard.runtime.store.Store;
import org.junit.jupiter.api.Test;

/** The durable runtime's promises on a store in memory shared the way a database is, and its outages. */
class DurableRuntimeTest extends DurableRuntimeContract {

    private final DurableTestStore database = DurableTestStore.create();

    @Override
    Store replicaStore() {
        return database.handle();
    }

    @Test
    void whileTheStoreCannotCommitWebhooksAreAnswered503AndTheRetryGoesThrough() throws Exception {
        Replica a = replica("a", echo("a"));
        database.down(true);
        assertThat(a.text("SM1", ALICE, "hello")).isEqualTo(503);
        assertThat(turns).isEmpty();

        database.down(false);
        // The provider's retry: the same message, not taken for a duplicate of the one refused.
        assertThat(a.text("SM1", ALICE, "hello")).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("a:hello");
        a.listener.next(RecordingListener.ReplySent.class);
        assertThat(a.channel.sentTexts()).containsExactly("re: hello");
    }
}
