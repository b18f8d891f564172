package dev.switchboard.runtime.internal;

import static java.util.Objects.requireNonNull;

import dev.switchboard.channel.WebhookRequest;
import dev.switchboard.channel.WebhookResponse;
import dev.switchboard.runtime.Media;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media agents made ({@link Media.Bytes}), served by the runtime's listener at an unguessable
 * address for a short while, so that the provider can fetch them when it sends the message.
 *
 * <p>Each item gets a path of its own under {@value #PATH}: 256 random bits, so that the address is
 * the only key. The route answers {@code GET} and {@code HEAD} for items not yet expired, 404 for
 * anything else under it, and serves nothing else; items leave when they expire, and the bytes held
 * at once are bounded.
 */
final class ServedMedia {

    private static final Logger log = LoggerFactory.getLogger(ServedMedia.class);

    /** The path prefix of served media on the listener. */
    static final String PATH = "/switchboard/media/";

    /** The most bytes held at once; a send beyond it fails rather than the process running out. */
    static final long MAX_HELD_BYTES = 64L * 1024 * 1024;

    private static final WebhookResponse NOT_FOUND = WebhookResponse.text(404, "Not Found");

    private record Item(Media.Bytes media, Instant expires) {}

    private final Optional<URI> publicUrl;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Item> items = new LinkedHashMap<>(); // guarded by this, oldest first
    private long held; // guarded by this

    /**
     * @param publicUrl where the provider reaches the listener, or empty when it cannot (agent-made media
     *     then fails to send, saying what to set)
     */
    ServedMedia(Optional<URI> publicUrl, Duration ttl, Clock clock) {
        this.publicUrl = requireNonNull(publicUrl, "publicUrl");
        this.ttl = requireNonNull(ttl, "ttl");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Serves {@code media} from now until the time to live ends, and gives the address the provider
     * fetches it from.
     *
     * @throws IllegalStateException if the listener has no public URL, or holds too much media already
     */
    URI publish(Media.Bytes media) {
        URI base = publicUrl.orElseThrow(() -> new IllegalStateException(
                "media an agent made is served by the runtime's listener, whose public URL is not known: set"
                        + " AgentRuntimeBuilder.publicUrl (the sample gateway takes it from the webhook URL)"));
        byte[] token = new byte[32];
        random.nextBytes(token);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        Instant now = clock.instant();
        synchronized (this) {
            expire(now);
            if (held + media.size() > MAX_HELD_BYTES) {
                throw new IllegalStateException("the listener already serves " + held + " bytes of media, and "
                        + media.size() + " more would pass its bound of " + MAX_HELD_BYTES + " bytes; try later");
            }
            items.put(id, new Item(media, now.plus(ttl)));
            held += media.size();
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + PATH + id);
    }

    /** Answers a request under {@value #PATH}. */
    WebhookResponse serve(WebhookRequest request) {
        boolean head = request.method().equals("HEAD");
        if (!head && !request.method().equals("GET")) {
            return WebhookResponse.text(405, "Method Not Allowed");
        }
        String id = request.path().substring(PATH.length());
        Item item;
        synchronized (this) {
            expire(clock.instant());
            item = items.get(id);
        }
        if (item == null) {
            log.debug("no served media at the requested address (unknown or expired)");
            return NOT_FOUND;
        }
        log.debug("serving {}", item.media());
        return new WebhookResponse(
                200, item.media().type(), head ? new byte[0] : item.media().bytes());
    }

    /** How many items are served now. */
    synchronized int size() {
        expire(clock.instant());
        return items.size();
    }

    private void expire(Instant now) {
        for (Iterator<Item> it = items.values().iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (item.expires().isAfter(now)) {
                // Oldest first, all with one time to live: the rest are younger.
                break;
            }
            held -= item.media().size();
            it.remove();
        }
    }
}
