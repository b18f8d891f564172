package dev.switchboard.runtime;

import static java.util.Objects.requireNonNull;

/**
 * One of the numbered choices a reply offered ({@link Reply#withChoices}), as the person picked it:
 * by its number, a number word ({@code two}, {@code second}) or its label, in any case.
 *
 * @param number its number in the list, from 1
 * @param label its label as the reply gave it
 */
public record Choice(int number, String label) {

    public Choice {
        requireNonNull(label, "label");
        if (number < 1) {
            throw new IllegalArgumentException("a choice's number starts at 1: " + number);
        }
    }
}
