package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.switchboard.channel.Address;
import dev.switchboard.twilio.TwilioCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON file {@code TWILIO_CREDENTIALS_FILE} names, as Kubernetes or Vault mount a secret:
 * {@code {"accountSid": "AC…", "authToken": "…", "phoneNumber": "+1…"}}, every field required,
 * others ignored. Every refusal is one line naming the variable, the path and the problem, and never
 * quotes the file's content; a file that group or others may read is read, with a WARN.
 */
public final class TwilioCredentialsFile {

    /** The variable that names the file. */
    public static final String VARIABLE = "TWILIO_CREDENTIALS_FILE";

    // A credentials file is a few hundred bytes; this keeps a wrong path (a device, a log) from
    // being read whole.
    private static final int MAX_BYTES = 64 * 1024;

    private static final Logger log = LoggerFactory.getLogger(TwilioCredentialsFile.class);

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /**
     * What the file holds.
     *
     * @param credentials the account SID and auth token; its {@code toString()} hides the token
     * @param phoneNumber the {@code phoneNumber} field in plain E.164: {@code TWILIO_PHONE_NUMBER}
     */
    public record Contents(TwilioCredentials credentials, Address phoneNumber) {}

    private TwilioCredentialsFile() {}

    /**
     * Reads and checks the file named {@code value}.
     *
     * @throws IllegalArgumentException if the path is not one, the file is missing, unreadable, not
     *     JSON, not an object, or a field is missing, not a string, blank or malformed: {@code
     *     TWILIO_CREDENTIALS_FILE=<path>: <problem>}
     */
    public static Contents read(String value) {
        requireNonNull(value, "value");
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw problem(value, "not a file path");
        }
        if (Files.isDirectory(path)) {
            throw problem(value, "a directory, not a file; name the JSON file in it");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw problem(value, "no such file");
        } catch (AccessDeniedException e) {
            throw problem(value, "cannot be read (permission denied)");
        } catch (IOException e) {
            // A file system exception's message starts with the path; its reason alone says why.
            String reason = e instanceof FileSystemException fse && fse.getReason() != null
                    ? fse.getReason()
                    : e.getClass().getSimpleName();
            throw problem(value, "cannot be read (" + reason + ")");
        }
        if (bytes.length > MAX_BYTES) {
            throw problem(value, "larger than 64 KiB, so not a credentials file");
        }
        warnIfOthersMayRead(value, path);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            // Jackson's message may quote the text around the error, which may be the token: only
            // where it is.
            JsonLocation at = e.getLocation();
            throw problem(
                    value,
                    "not valid JSON"
                            + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw problem(value, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || root.isMissingNode()) {
            throw problem(value, "empty; it must hold a JSON object with accountSid, authToken and phoneNumber");
        }
        if (!root.isObject()) {
            throw problem(value, "must hold a JSON object with accountSid, authToken and phoneNumber");
        }
        String accountSid = field(value, root, "accountSid");
        String authToken = field(value, root, "authToken");
        String phoneNumber = field(value, root, "phoneNumber");
        TwilioCredentials credentials;
        try {
            credentials = new TwilioCredentials(accountSid, authToken);
        } catch (IllegalArgumentException e) {
            // The only check left is the SID's; the value is not shown, in case a token was pasted there.
            throw problem(value, "accountSid must be AC followed by 32 hex digits");
        }
        Address number;
        try {
            number = TwilioAddressFormat.SMS.normalize(VARIABLE + "=" + value + ": phoneNumber", phoneNumber);
        } catch (IllegalArgumentException e) {
            // Not quoted: a secret pasted into the wrong field must not show, even in part.
            throw problem(value, "phoneNumber is not a phone number in E.164 form (+15551234567)");
        }
        return new Contents(credentials, number);
    }

    private static String field(String file, JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            throw problem(file, "no " + name);
        }
        if (!node.isTextual()) {
            throw problem(file, name + " must be a string");
        }
        String value = node.textValue().strip();
        if (value.isEmpty()) {
            throw problem(file, name + " is blank");
        }
        return value;
    }

    private static void warnIfOthersMayRead(String value, Path path) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException | IOException e) {
            return; // no POSIX permissions here (Windows): nothing to say
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            log.warn(
                    "{}={} can be read by group or others ({}): it holds the auth token, so chmod 600 {}",
                    VARIABLE,
                    value,
                    PosixFilePermissions.toString(permissions),
                    value);
        }
    }

    private static IllegalArgumentException problem(String file, String problem) {
        return new IllegalArgumentException(VARIABLE + "=" + file + ": " + problem);
    }
}
