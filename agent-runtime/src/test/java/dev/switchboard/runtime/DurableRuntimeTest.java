package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.store.DurableTestStore;
import dev.switchboard.runtime.store.Store;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The durable runtime's promises on a store in memory shared the way a database is, and its outages. */
class DurableRuntimeTest extends DurableRuntimeContract {

    private final DurableTestStore database = DurableTestStore.create();

    @Override
    Store replicaStore() {
        return database.handle();
    }

    @Test
    void aRedeliveryWhileTheFirstCopyIsBeingCommittedIsAnsweredAsTheFirstIs() throws Exception {
        Replica a = replica("a", echo("a"));
        database.holdAccepts();
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> post(a, "SM1"));
        assertThat(database.awaitHeldAccept()).isTrue();
        CompletableFuture<Integer> redelivery = CompletableFuture.supplyAsync(() -> post(a, "SM1"));
        // The commit fails: neither copy may be acknowledged.
        database.down(true);
        database.releaseAccepts();
        assertThat(first.get(15, TimeUnit.SECONDS)).isEqualTo(503);
        assertThat(redelivery.get(15, TimeUnit.SECONDS)).isEqualTo(503);

        database.down(false);
        assertThat(post(a, "SM1")).isEqualTo(200);
        assertThat(nextTurn()).isEqualTo("a:hello");
        a.listener.next(RecordingListener.ReplySent.class);
        assertThat(a.channel.sentTexts()).containsExactly("re: hello");
    }

    private static int post(Replica replica, String sid) {
        try {
            return replica.text(sid, ALICE, "hello");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
