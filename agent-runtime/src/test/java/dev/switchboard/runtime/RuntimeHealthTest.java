package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AgentRuntime#health()}: the readiness a host's own probes read, through the runtime's life. */
class RuntimeHealthTest {

    @TempDir
    Path directory;

    @Test
    void followsTheRuntimeFromStartToCloseWithoutAListener() {
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(FakeChannel.sms())
                .agent(turn -> Optional.of("re: " + turn.text()))
                .noWebhookServer()
                .build();
        try (runtime) {
            RuntimeHealth starting = runtime.health();
            assertThat(starting.up()).isFalse();
            assertThat(starting.status()).isEqualTo("DOWN");
            assertThat(starting.checks())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("listener", "NOT_USED", "store", "UP", "runtime", "STARTING"));
            assertThat(starting.reasons()).containsExactly("the runtime is starting its channels");

            runtime.start();
            RuntimeHealth up = runtime.health();
            assertThat(up.up()).isTrue();
            assertThat(up.status()).isEqualTo("UP");
            assertThat(up.checks()).containsEntry("runtime", "UP").containsEntry("listener", "NOT_USED");
            assertThat(up.reasons()).isEmpty();
        }
        RuntimeHealth closed = runtime.health();
        assertThat(closed.up()).isFalse();
        assertThat(closed.checks()).containsEntry("runtime", "CLOSED");
        assertThat(closed.reasons()).contains("the runtime is closed");
    }

    @Test
    void saysWhyWhenTheStoreDoesNotAnswer() throws Exception {
        Store store = JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        try (store;
                AgentRuntime runtime = AgentRuntime.builder()
                        .channel(FakeChannel.sms())
                        .agent(turn -> Optional.empty())
                        .webhookServer("127.0.0.1", 0)
                        .store(store)
                        .build()
                        .start()) {
            assertThat(runtime.health().checks())
                    .containsEntry("listener", "UP")
                    .containsEntry("store", "UP");

            store.close();

            RuntimeHealth down = runtime.health();
            assertThat(down.up()).isFalse();
            assertThat(down.checks()).containsEntry("store", "DOWN").containsEntry("runtime", "UP");
            assertThat(down.reasons())
                    .singleElement()
                    .asString()
                    .startsWith("the store sqlite:")
                    .contains("does not answer");
        }
    }
}
