package dev.switchboard.samples;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@code .env} file: the variables a gateway reads, kept beside it for a development machine, with
 * the process environment taking precedence, so that a deployment's variables always win over a
 * file left in the directory.
 *
 * <p>The format is the common subset of what Docker Compose and the dotenv libraries read:
 *
 * <ul>
 *   <li>one {@code KEY=VALUE} a line, optionally after {@code export }; whitespace around the key
 *       and the value is dropped; the key is letters, digits and underscores, not starting with a
 *       digit;
 *   <li>blank lines, and lines whose first non-blank character is {@code #}, are skipped;
 *   <li>a value in single or double quotes is taken between them exactly, with no escapes and no
 *       variable expansion, and may be followed by a {@code #} comment; it ends at the next quote
 *       of its kind, on the same line;
 *   <li>in an unquoted value, a {@code #} after whitespace starts a comment: quote a value that must
 *       hold one;
 *   <li>a key given twice takes its last value.
 * </ul>
 *
 * <p>A malformed line is refused with an {@link IllegalArgumentException} naming the file and the
 * line number, never quoting the line, which may hold a token.
 */
public final class DotEnv {

    /** The file's name in the working directory. */
    public static final String FILE_NAME = ".env";

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private DotEnv() {}

    /**
     * The variables a process started in {@code workingDirectory} runs with: those of its {@code
     * .env}, if there is one, overridden by {@code processEnv}. A variable present in {@code
     * processEnv} wins even when its value is blank (which the channels then read as unset).
     *
     * @param workingDirectory where to look for {@value #FILE_NAME}; {@code Path.of("")} for the
     *     current directory, which messages then show as {@code .env}
     * @param processEnv the process's environment, usually {@code System.getenv()}
     * @return the merged variables; unmodifiable
     * @throws IllegalArgumentException if the file exists but cannot be read or has a malformed line
     */
    public static Map<String, String> merged(Path workingDirectory, Map<String, String> processEnv) {
        requireNonNull(workingDirectory, "workingDirectory");
        requireNonNull(processEnv, "processEnv");
        Path file = workingDirectory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(processEnv));
        }
        Map<String, String> merged = new LinkedHashMap<>(read(file));
        merged.putAll(processEnv);
        return Collections.unmodifiableMap(merged);
    }

    /**
     * The variables {@code file} sets, in the order of the file.
     *
     * @return the variables; unmodifiable
     * @throws IllegalArgumentException if the file cannot be read, is not UTF-8 text, or has a
     *     malformed line: {@code <file> line <n>: <problem>}
     */
    public static Map<String, String> read(Path file) {
        requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a directory, not a file of variables");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + " cannot be read (permission denied)");
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        return parse(file.toString(), lines);
    }

    /**
     * The variables {@code lines} set.
     *
     * @param source what the lines came from, for messages
     * @throws IllegalArgumentException if a line is malformed: {@code <source> line <n>: <problem>}
     */
    static Map<String, String> parse(String source, List<String> lines) {
        Map<String, String> variables = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int lineNumber = i + 1;
            if (line.startsWith("export") && line.length() > 6 && Character.isWhitespace(line.charAt(6))) {
                line = line.substring(7).strip();
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw malformed(source, lineNumber, "expected KEY=VALUE");
            }
            String key = line.substring(0, equals).strip();
            if (!KEY.matcher(key).matches()) {
                throw malformed(
                        source,
                        lineNumber,
                        "the name before = must be letters, digits and underscores, not starting with a digit");
            }
            variables.put(
                    key,
                    value(source, lineNumber, key, line.substring(equals + 1).strip()));
        }
        return Collections.unmodifiableMap(variables);
    }

    private static String value(String source, int lineNumber, String key, String raw) {
        if (raw.isEmpty()) {
            return "";
        }
        char first = raw.charAt(0);
        if (first == '"' || first == '\'') {
            int close = raw.indexOf(first, 1);
            if (close < 0) {
                throw malformed(source, lineNumber, "the value of " + key + " opens a quote it does not close");
            }
            String rest = raw.substring(close + 1);
            if (!rest.isBlank()
                    && !(Character.isWhitespace(rest.charAt(0)) && rest.strip().startsWith("#"))) {
                throw malformed(source, lineNumber, "the value of " + key + " goes on after its closing quote");
            }
            return raw.substring(1, close);
        }
        for (int i = 1; i < raw.length(); i++) {
            if (raw.charAt(i) == '#' && Character.isWhitespace(raw.charAt(i - 1))) {
                return raw.substring(0, i).strip();
            }
        }
        return raw;
    }

    private static IllegalArgumentException malformed(String source, int lineNumber, String problem) {
        return new IllegalArgumentException(source + " line " + lineNumber + ": " + problem);
    }
}
