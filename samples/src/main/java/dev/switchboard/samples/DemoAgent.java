package dev.switchboard.samples;

import dev.switchboard.runtime.Agent;
import dev.switchboard.runtime.Choice;
import dev.switchboard.runtime.Media;
import dev.switchboard.runtime.Reply;
import dev.switchboard.runtime.Turn;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * A small agent that shows what the SDK does with an agent's answers: markdown turned into text
 * the channel can show, long answers split into parts, extra messages sent within one turn.
 *
 * <p>{@code menu} offers numbered choices: the answer names the one picked ({@code you chose 2:
 * long}), by number, number word or label.
 *
 * <p>Its menu word is {@code menu}: HELP, like STOP and START, belongs to the carrier (Twilio answers
 * it, and the runtime never passes it to the agent).
 */
public final class DemoAgent implements Agent {

    private static final String MENU = """
            **Switchboard demo agent.** Pick one to see what I can show you, or text its word \
            (`markdown`, `long`, `two`, `picture`); `menu` brings this list back.""";

    /** The menu's choices, in order; each is also a word the agent answers. */
    static final List<String> CHOICES = List.of("markdown", "long", "two", "picture");

    /** A small picture made on the spot: media an agent made, served by the runtime for Twilio to fetch. */
    static byte[] picture() {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, ((x * 4) << 16) | ((y * 4) << 8) | 0xC0);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw the demo picture", e);
        }
        return png.toByteArray();
    }

    @Override
    public Optional<String> respond(Turn turn) {
        if (turn.choice().isPresent()) {
            Choice choice = turn.choice().get();
            return Optional.of("you chose " + choice.number() + ": " + choice.label());
        }
        String text = turn.text().strip();
        switch (text.toLowerCase(Locale.ROOT)) {
            case "menu", "hi", "hello", "":
                turn.send(Reply.text(MENU).withChoices(CHOICES));
                return Optional.empty();
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
            case "picture":
                turn.send(Reply.text("A picture I made just now.").withMedia(Media.bytes("image/png", picture())));
                return Optional.empty();
            case "two":
                turn.send("This is the first of two messages.");
                return Optional.of("And this is the second.");
            default:
                return Optional.of("I received " + text.codePointCount(0, text.length())
                        + " characters. Text `menu` to see what I can show you.");
        }
    }
}
