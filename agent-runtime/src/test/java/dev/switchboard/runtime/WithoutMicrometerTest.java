package dev.switchboard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Micrometer is an optional dependency: an application without it on its class path runs the
 * runtime, builder included, and nothing asks for a Micrometer class.
 */
class WithoutMicrometerTest {

    @Test
    void theRuntimeAnswersAWebhookAndRepliesWithNoMicrometerOnTheClassPath() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.replace(File.separatorChar, '/').contains("/io/micrometer/")) {
                removed.add(entry);
            } else {
                kept.add(Path.of(entry).toUri().toURL());
            }
        }
        assertThat(removed).as("Micrometer's jars, on the test class path").isNotEmpty();

        try (RecordingLoader loader = new RecordingLoader(kept.toArray(URL[]::new))) {
            assertThatThrownBy(() -> loader.loadClass("io.micrometer.core.instrument.MeterRegistry"))
                    .isInstanceOf(ClassNotFoundException.class);
            loader.requested.clear();

            Class<?> run = loader.loadClass(OneWebhook.class.getName());
            assertThat(run.getClassLoader()).isSameAs(loader);
            Object reply = run.getMethod("run").invoke(null);

            assertThat(reply).isEqualTo("echo: hello");
            assertThat(loader.requested)
                    .as("the classes the runtime asked for")
                    .contains(AgentRuntimeBuilder.class.getName(), "dev.switchboard.runtime.internal.RuntimeMetrics")
                    .noneMatch(name -> name.startsWith("io.micrometer."))
                    .doesNotContain("dev.switchboard.runtime.internal.MicrometerMetrics");
        }
    }

    /** A loader of its own classes (the platform's above it) that notes every class asked of it. */
    private static final class RecordingLoader extends URLClassLoader {

        final Set<String> requested = ConcurrentHashMap.newKeySet();

        RecordingLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }
    }

    /** Run in the loader without Micrometer: a runtime on a real socket, one webhook, its reply. */
    public static final class OneWebhook {

        private OneWebhook() {}

        public static String run() throws Exception {
            FakeChannel channel = FakeChannel.sms();
            AgentRuntime runtime = AgentRuntime.builder()
                    .channel(channel)
                    .agent(turn -> Optional.of("echo: " + turn.text()))
                    .webhookServer("127.0.0.1", 0)
                    .build()
                    .start();
            try {
                int status =
                        FakeChannel.post(runtime, FakeChannel.form("SM1", "+15551230001", "+15550000000", "hello"));
                if (status != 200) {
                    throw new AssertionError("the webhook was answered " + status);
                }
                return channel.nextSent().text();
            } finally {
                runtime.close();
            }
        }
    }
}
