package dev.switchboard.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.FakeChannel;
import dev.switchboard.runtime.store.HistoryEntry;
import dev.switchboard.runtime.store.JdbcStores;
import dev.switchboard.runtime.store.Store;
import dev.switchboard.runtime.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose LangChain4j assistant keeps its memory in the runtime's history, through a real
 * runtime on SQLite: the memory holds what the runtime recorded (the person's texts, the replies as
 * sent), and outlives a restart of the runtime and the store.
 */
class HistoryMemoryRuntimeTest {

    static final String ADA = "+15551230001";
    static final String SELF = "+15550000000";

    @TempDir
    Path directory;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A runtime on the test's database whose agent asks the assistant over the runtime's own store. */
    private record Gateway(AgentRuntime runtime, FakeChannel channel, Store store) {}

    private Gateway start(HistoryMemoryContract.ScriptedModel model) {
        Store store = JdbcStores.open(
                "jdbc:sqlite:" + directory.resolve("switchboard.db"), null, null, StoreSettings.defaults());
        open.add(store);
        FakeChannel channel = FakeChannel.sms();
        HistoryMemoryContract.Assistant assistant =
                HistoryMemoryContract.assistant(model, new HistoryChatMemoryStore(store));
        AgentRuntime runtime = AgentRuntime.builder()
                .channel(channel)
                .store(store)
                .agent(turn -> Optional.of(assistant.chat(MemoryIds.of(turn), turn.text())))
                .webhookServer("127.0.0.1", 0)
                .storePollInterval(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofSeconds(5))
                .build()
                .start();
        open.add(runtime);
        return new Gateway(runtime, channel, store);
    }

    @Test
    void theAssistantRemembersWhatThePersonSawAcrossARestart() throws Exception {
        HistoryMemoryContract.ScriptedModel first = new HistoryMemoryContract.ScriptedModel().then("Hello **Ada**!");
        Gateway gateway = start(first);
        assertThat(FakeChannel.post(gateway.runtime(), FakeChannel.form("SM1", ADA, SELF, "Hi, I'm Ada")))
                .isEqualTo(200);
        String sent = gateway.channel().nextSent().text();
        assertThat(first.lastRequest()).containsExactly("SYSTEM: " + HistoryMemoryContract.SYSTEM, "USER: Hi, I'm Ada");

        // The turn's line is written before a graceful stop returns.
        gateway.runtime().close();
        gateway.store().close();

        HistoryMemoryContract.ScriptedModel second = new HistoryMemoryContract.ScriptedModel().then("You are Ada.");
        Gateway restarted = start(second);
        assertThat(FakeChannel.post(restarted.runtime(), FakeChannel.form("SM2", ADA, SELF, "What's my name?")))
                .isEqualTo(200);
        assertThat(restarted.channel().nextSent().text()).isEqualTo("You are Ada.");

        assertThat(second.lastRequest())
                .containsExactly(
                        "SYSTEM: " + HistoryMemoryContract.SYSTEM,
                        "USER: Hi, I'm Ada",
                        "AI: " + sent,
                        "USER: What's my name?");
        assertThat(restarted.store().history(HistoryMemoryContract.ADA_SMS, 10))
                .extracting(HistoryEntry::text)
                .startsWith("Hi, I'm Ada", sent, "What's my name?");
    }
}
