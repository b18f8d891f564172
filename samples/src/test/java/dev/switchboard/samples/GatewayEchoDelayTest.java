package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import dev.switchboard.runtime.Turn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sample gateway's {@code SWITCHBOARD_ECHO_DELAY_MS} and the echo agent's wait. */
class GatewayEchoDelayTest {

    private static Map<String, String> env(String delay) {
        Map<String, String> env = TwilioModeGateway.env("SWITCHBOARD_AGENT", "echo");
        if (delay != null) {
            env.put("SWITCHBOARD_ECHO_DELAY_MS", delay);
        }
        return env;
    }

    @Test
    void theEchoAgentIsBuiltWithTheDelayTheVariableGives() {
        assertThat(Gateway.agent(env("2000")))
                .isInstanceOfSatisfying(
                        EchoAgent.class, agent -> assertThat(agent.delay()).isEqualTo(Duration.ofMillis(2000)));
        assertThat(Gateway.agent(env(" 250 ")))
                .isInstanceOfSatisfying(
                        EchoAgent.class, agent -> assertThat(agent.delay()).isEqualTo(Duration.ofMillis(250)));
    }

    @Test
    void unsetBlankOrZeroAnswersAtOnce() {
        for (String delay : new String[] {null, "", "  ", "0"}) {
            assertThat(Gateway.agent(env(delay)))
                    .as("SWITCHBOARD_ECHO_DELAY_MS=%s", delay)
                    .isInstanceOfSatisfying(
                            EchoAgent.class, agent -> assertThat(agent.delay()).isZero());
        }
    }

    @Test
    void theGatewayRefusesADelayThatIsNotAWholeNumberOfMilliseconds() {
        for (String bad : List.of("abc", "-1", "1.5", "2s", "+5", "99999999999999999999")) {
            assertThatThrownBy(() -> Gateway.start(env(bad), TwilioModeGateway.CONSOLE))
                    .as("SWITCHBOARD_ECHO_DELAY_MS=%s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SWITCHBOARD_ECHO_DELAY_MS must be a whole number of milliseconds the echo agent"
                            + " waits before each answer, 0 or more: " + bad);
        }
    }

    @Test
    void aBadDelayIsRefusedWhicheverAgentRuns() {
        Map<String, String> env = env("soon");
        env.put("SWITCHBOARD_AGENT", "silent");

        assertThatThrownBy(() -> Gateway.start(env, TwilioModeGateway.CONSOLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SWITCHBOARD_ECHO_DELAY_MS")
                .hasMessageEndingWith(": soon");
    }

    @Test
    void theAgentWaitsItsDelayBeforeItAnswers() throws Exception {
        List<String> events = new ArrayList<>();
        EchoAgent agent = new EchoAgent(Duration.ofMillis(2000), duration -> events.add("slept " + duration));

        Optional<String> reply = agent.respond(turn("hello"));
        events.add("answered");

        assertThat(reply).contains("echo: hello");
        assertThat(events).containsExactly("slept PT2S", "answered");
    }

    @Test
    void withoutADelayTheAgentDoesNotWait() throws Exception {
        List<Duration> sleeps = new ArrayList<>();
        EchoAgent agent = new EchoAgent(Duration.ZERO, sleeps::add);

        assertThat(agent.respond(turn("hi"))).contains("echo: hi");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anInterruptedWaitGivesTheTurnUp() {
        EchoAgent agent = new EchoAgent(Duration.ofHours(1));

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> agent.respond(turn("hi"))).isInstanceOf(InterruptedException.class);
        } finally {
            // Leaves the test thread as it found it whatever the agent did with the flag.
            Thread.interrupted();
        }
    }

    @Test
    void aNegativeDelayIsRefused() {
        assertThatThrownBy(() -> new EchoAgent(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay cannot be negative: PT-0.001S");
    }

    private static Turn turn(String text) {
        InboundMessage message = new InboundMessage(
                String.format("SM%032x", 1),
                "sms",
                Address.of(TwilioModeGateway.ALICE),
                Address.of(TwilioModeGateway.GATEWAY),
                text,
                List.of(),
                Instant.EPOCH,
                Map.of());
        return new Turn() {
            @Override
            public ConversationKey conversation() {
                return message.conversation();
            }

            @Override
            public InboundMessage message() {
                return message;
            }

            @Override
            public void send(String markdown) {
                throw new UnsupportedOperationException("the echo agent sends nothing but its answer");
            }
        };
    }
}
