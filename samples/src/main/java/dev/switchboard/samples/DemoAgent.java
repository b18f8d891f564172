package dev.switchboard.samples;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Turn;
import java.util.Locale;
import java.util.Optional;

/**
 * A small agent that shows what the SDK does with an agent's answers: markdown turned into text
 * the channel can show, long answers split into parts, extra messages sent within one turn.
 *
 * <p>Its menu word is {@code menu}: HELP, like STOP and START, belongs to the carrier (Twilio answers
 * it, and the runtime never passes it to the agent).
 */
public final class DemoAgent implements Agent {

    private static final String MENU = """
            **Switchboard demo agent.** Text me one of these:

            - `markdown`: an answer full of markdown, as your phone shows it
            - `long`: an answer too long for one message, split at natural breaks
            - `two`: two messages in one turn
            - `menu`: this list again
            - anything else: I say what I received""";

    @Override
    public Optional<String> respond(Turn turn) {
        String text = turn.text().strip();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "menu", "hi", "hello", "":
                return Optional.of(MENU);
            case "markdown":
                return Optional.of("""
                        # A heading

                        Some **bold**, some _italic_, some ~~struck~~ text and `code`.
                        Arithmetic stays intact: 2*3*4 = 24, and so does snake_case_name.

                        1. first
                        2. second
                           - nested

                        > a quote, and [a link](https://www.twilio.com/docs/messaging)

                        | plan | price |
                        |------|-------|
                        | free | $0    |
                        """);
            case "long":
                StringBuilder answer = new StringBuilder();
                for (int i = 1; i <= 12; i++) {
                    answer.append("Paragraph ").append(i).append(". ");
                    answer.append("Switchboard splits a long answer at a paragraph break where it can, ")
                            .append("then a line break, a sentence end or a space, and only cuts a word ")
                            .append("that is longer than a whole message.\n\n");
                }
                return Optional.of(answer.toString());
            case "two":
                turn.send("This is the first of two messages.");
                return Optional.of("And this is the second.");
            default:
                return Optional.of("I received " + text.codePointCount(0, text.length())
                        + " characters. Text `menu` to see what I can show you.");
        }
    }
}
