package dev.switchboard.samples.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command reads and writes: its environment (the process's over the working directory's
 * {@code .env}), its working directory and its terminal. Tests hand in their own.
 */
public record CliContext(
        Map<String, String> env,
        Path workingDirectory,
        PrintWriter out,
        PrintWriter err,
        BufferedReader in,
        Console console) {

    /** A line typed at the prompt, or null at the end of the input. */
    public String ask(String prompt) {
        out.print(prompt);
        out.flush();
        if (console != null) {
            return console.readLine();
        }
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A secret typed at the prompt, not echoed when there is a terminal. */
    public String askSecret(String prompt) {
        if (console != null) {
            out.print(prompt);
            out.flush();
            char[] typed = console.readPassword();
            return typed == null ? null : new String(typed);
        }
        return ask(prompt);
    }
}
