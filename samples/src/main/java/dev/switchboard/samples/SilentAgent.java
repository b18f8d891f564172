package dev.switchboard.samples;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import java.util.Optional;

/** Never replies: for load runs, which measure the inbound path and nothing else. */
public final class SilentAgent implements Agent {

    @Override
    public Optional<String> respond(Turn turn) {
        return Optional.empty();
    }
}
