package dev.switchboard.samples;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import java.util.Optional;

/** Answers every message with {@code echo: } and the message's text; used by end-to-end checks. */
public final class EchoAgent implements Agent {

    @Override
    public Optional<String> respond(Turn turn) {
        return Optional.of("echo: " + turn.text());
    }
}
