package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.channel.Address;
import dev.switchboard.twilio.TwilioSignature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Twilio's Programmable Messaging REST API, for trying Switchboard without a
 * Twilio account and for end-to-end tests.
 *
 * <p>It answers {@code POST /2010-04-01/Accounts/{AccountSid}/Messages.json} as Twilio does (basic
 * auth, the same validations and error codes for the common mistakes, a 201 with the message JSON and
 * an {@code SM…} sid), lists and fetches messages, and then reports {@code sent} and {@code
 * delivered} to the message's {@code StatusCallback}, signed with the account's auth token like
 * every Twilio webhook. It binds to the loopback address only. {@link #enqueueFault(SandboxFault)}
 * makes it fail the next creations on purpose (an error, a 429, a 5xx after or without creating the
 * message, or no answer at all), {@link #refuseConnections()} makes every request fail to connect until
 * {@link #acceptConnections()}, {@link #sendStatusCallback} posts any status callback a test wants
 * (repeated, out of order, with an {@code ErrorCode}) when the automatic ones are {@linkplain
 * Builder#automaticStatusCallbacks(boolean) off}, {@link #optOut(String)} refuses a recipient with
 * 21610, and the {@code To} numbers of Twilio's test credentials fail as they do there: {@code
 * +15005550001} (21211 invalid), {@code +15005550002} (21612 unreachable), {@code +15005550003}
 * (21408 region not enabled), {@code +15005550004} (21610 unsubscribed), {@code +15005550009} (21614
 * not a mobile number).
 *
 * <p>It is the carrier for inbound messages too: {@link #text(String, String, String)} is a phone
 * texting one of its numbers. Like Twilio, it stores the message (listed with direction {@code
 * inbound}), answers STOP, START and HELP and their synonyms by itself on SMS as Twilio's default
 * opt-out handling does on a long code (refusing later sends to someone who texted STOP with 21610
 * until they text START), and posts the number's webhook ({@link #configureWebhook}, a Twilio
 * number's {@code SmsUrl}) signed with the auth token, keyword or not. WhatsApp gets no keyword
 * handling, as on Twilio.
 *
 * <p>It answers the calls that check and configure an account too, in the shapes of Twilio's OpenAPI
 * description: {@code GET /2010-04-01/Accounts/{Sid}.json}, {@code GET
 * .../IncomingPhoneNumbers.json} (filtered by {@code PhoneNumber}), {@code GET} and {@code POST
 * .../IncomingPhoneNumbers/{Sid}.json} ({@code SmsUrl}, {@code SmsMethod}, {@code SmsApplicationSid}),
 * {@code GET} and {@code POST /v1/Services/{Sid}} ({@code InboundRequestUrl}, {@code InboundMethod},
 * {@code UseInboundWebhookOnNumber}) and {@code GET /v1/Services/{Sid}/PhoneNumbers}. Each sender is a
 * number of the account, SMS and MMS capable, whose {@code SmsUrl} is the URL {@link
 * #configureWebhook} signs for: by default a healthy, active, full account. {@link
 * #refuseCredentials}, {@link #accountStatus}, {@link #accountType}, {@link #releaseNumber}, {@link
 * #numberSmsUrl(String, String)}, {@link #numberSmsMethod}, {@link #numberSmsApplicationSid}, {@link
 * #numberCapabilities}, {@link #addMessagingService} and {@link #addFailedInbound} present each
 * problem a setup check looks for; {@link #updates()} lists the updates accepted, {@link #exchanges()}
 * every request answered and its answer.
 */
public final class TwilioSandbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwilioSandbox.class);

    private static final String API_VERSION = "2010-04-01";
    private static final Pattern MESSAGES = Pattern.compile("/2010-04-01/Accounts/([^/]+)/Messages\\.json");
    private static final Pattern MESSAGE =
            Pattern.compile("/2010-04-01/Accounts/([^/]+)/Messages/((?:SM|MM)[0-9a-f]{32})\\.json");
    private static final Pattern MEDIA =
            Pattern.compile("/2010-04-01/Accounts/([^/]+)/Messages/((?:SM|MM)[0-9a-f]{32})/Media/(ME[0-9a-f]{32})");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    /** The most bytes one media item may have, Twilio's MMS limit. */
    public static final int MAX_MEDIA_BYTES = 5 * 1024 * 1024;
    /** The most media one message may carry, Twilio's limit. */
    public static final int MAX_MEDIA = 10;

    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static final int MAX_BODY = 1600;
    /** How many of the latest exchanges {@link #exchanges()} keeps. */
    private static final int MAX_EXCHANGES = 1000;

    private static final Comparator<Stored> OLDEST_FIRST =
            Comparator.comparing((Stored s) -> s.message().createdAt()).thenComparingLong(s -> s.sequence);
    private static final String WHATSAPP = "whatsapp:";
    /** The {@code ProfileName} of every WhatsApp user who texts the stand-in. */
    private static final String PROFILE_NAME = "Dev Phone";
    /** Twilio's titles of the errors {@link #addFailedInbound} is likely given. */
    /** Twilio's error for a {@code MediaUrl} it could not retrieve: the message fails with it. */
    static final int MEDIA_RETRIEVAL_FAILURE = 11200;

    private static final Map<Integer, String> ERROR_MESSAGES = Map.ofEntries(
            Map.entry(11200, "HTTP retrieval failure"),
            Map.entry(11205, "HTTP connection failure"),
            Map.entry(11206, "HTTP protocol violation"),
            Map.entry(11210, "HTTP bad host name"),
            Map.entry(12300, "Invalid Content-Type"),
            Map.entry(21610, "Attempt to send to unsubscribed recipient"),
            Map.entry(30001, "Queue overflow"),
            Map.entry(30002, "Account suspended"),
            Map.entry(30003, "Unreachable destination handset"),
            Map.entry(30004, "Message blocked"),
            Map.entry(30005, "Unknown destination handset"),
            Map.entry(30006, "Landline or unreachable carrier"),
            Map.entry(30007, "Message filtered"),
            Map.entry(30008, "Unknown error"),
            Map.entry(63016, "Failed to send freeform message because you are outside the allowed window"));

    private final String accountSid;
    private final String authToken;
    private final Set<String> senders;
    private final int requestedPort;
    private final Duration callbackDelay;
    private final boolean automaticCallbacks;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Stored> messages = new ConcurrentHashMap<>();
    private final List<Consumer<SandboxMessage>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<SandboxRecord>> recordListeners = new CopyOnWriteArrayList<>();
    /** The bytes of the media fetched for sent messages, by sid and then in order. */
    private final Map<String, List<dev.switchboard.channel.MediaContent>> fetchedMedia = new ConcurrentHashMap<>();

    private final Queue<SandboxFault> faults = new ArrayDeque<>();
    private final Set<String> optedOut = ConcurrentHashMap.newKeySet();
    /** Per number of the account, the phones that texted it STOP and not START since. */
    private final Map<String, Set<String>> unsubscribed = new ConcurrentHashMap<>();

    private final Map<String, Webhook> webhooks = new ConcurrentHashMap<>();
    private final AtomicInteger createRequests = new AtomicInteger();
    /** The latest exchanges, oldest first; guarded by itself. */
    private final ArrayDeque<SandboxExchange> exchanges = new ArrayDeque<>();
    /** The body of the request the current thread answers, for {@link #exchanges}. */
    private final ThreadLocal<byte[]> requestBody = new ThreadLocal<>();

    private final SandboxAccount account;
    /** The media phones texted, by the path the stand-in serves each on. */
    private final Map<String, dev.switchboard.channel.MediaContent> media = new ConcurrentHashMap<>();
    /** How many of the next media fetches answer 404, as Twilio does while it still stores them. */
    private final AtomicInteger mediaNotFound = new AtomicInteger();

    private final AtomicInteger mediaRequests = new AtomicInteger();
    /** Orders the messages stamped with the same instant, such as a keyword and its answer. */
    private final AtomicLong sequence = new AtomicLong();

    private HttpServer server; // guarded by this
    private InetSocketAddress address; // guarded by this; null until started and after close
    private boolean accepting; // guarded by this
    private ExecutorService requestExecutor;
    private ScheduledExecutorService callbackScheduler;
    private HttpClient callbackClient;
    private HttpClient mediaClient;

    private TwilioSandbox(Builder builder) {
        this.accountSid = builder.accountSid;
        this.authToken = builder.authToken;
        this.senders = Set.copyOf(builder.senders);
        this.requestedPort = builder.port;
        this.callbackDelay = builder.callbackDelay;
        this.automaticCallbacks = builder.automaticCallbacks;
        this.clock = builder.clock;
        Set<String> phones = new java.util.TreeSet<>();
        senders.forEach(sender -> phones.add(stripChannel(sender)));
        this.account = new SandboxAccount(accountSid, phones, clock, random, this::smsUrlChanged);
    }

    /** Returns a builder with a fresh account SID and auth token. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the stand-in to the loopback address and starts answering.
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public synchronized TwilioSandbox start() {
        if (address != null) {
            throw new IllegalStateException("the sandbox is already started");
        }
        requestExecutor = Executors.newCachedThreadPool(daemonThreads("twilio-sandbox-http"));
        callbackScheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("twilio-sandbox-callbacks"));
        callbackClient = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(requestExecutor)
                .build();
        // Twilio fetches MediaUrls without credentials and follows redirects.
        mediaClient = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .executor(requestExecutor)
                .build();
        try {
            bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort));
        } catch (UncheckedIOException e) {
            callbackScheduler.shutdownNow();
            requestExecutor.shutdownNow();
            throw e;
        }
        address = server.getAddress();
        log.info("Twilio sandbox listening on {}", baseUrl());
        return this;
    }

    // guarded by this
    private void bind(InetSocketAddress at) {
        try {
            server = HttpServer.create(at, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the Twilio sandbox to " + at, e);
        }
        server.setExecutor(requestExecutor);
        server.createContext("/", this::handle);
        server.start();
        accepting = true;
    }

    /** The base URL to give {@code TWILIO_API_BASE_URL}, such as {@code http://127.0.0.1:41234}. */
    public synchronized URI baseUrl() {
        if (address == null) {
            throw new IllegalStateException("the sandbox is not started");
        }
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    /**
     * Stops listening, so that every request fails to connect (a refused connection: it certainly
     * never reached Twilio), and drops the connections open now. Status callbacks still go out.
     * {@link #acceptConnections()} listens again on the same port.
     */
    public synchronized void refuseConnections() {
        if (address == null) {
            throw new IllegalStateException("the sandbox is not started");
        }
        if (accepting) {
            server.stop(0);
            accepting = false;
        }
    }

    /**
     * Listens again on the same port after {@link #refuseConnections()}.
     *
     * @throws UncheckedIOException if the port was taken meanwhile
     */
    public synchronized void acceptConnections() {
        if (address == null) {
            throw new IllegalStateException("the sandbox is not started");
        }
        if (!accepting) {
            bind(address);
        }
    }

    /** The account SID the stand-in accepts. */
    public String accountSid() {
        return accountSid;
    }

    /** The auth token the stand-in accepts and signs its callbacks with. Never log it. */
    public String authToken() {
        return authToken;
    }

    /**
     * Calls {@code listener} with every message the stand-in sends to a phone: each one the application
     * creates ({@link SandboxMessage.Direction#OUTBOUND_API}) on a stand-in thread, and each of
     * Twilio's own answers to a keyword ({@link SandboxMessage.Direction#OUTBOUND_REPLY}) on the thread
     * that called {@link #text}, before the webhook is posted. Messages texted to the stand-in are not
     * passed on.
     */
    public void onMessage(Consumer<SandboxMessage> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /**
     * Calls {@code listener} with a message's {@linkplain SandboxRecord record} whenever the stand-in
     * stores a message (texted to it, sent through it, or its own answer to a keyword) and whenever a
     * message's status changes, in the order of the changes of each message; on the thread that made
     * the change. For a view of the messages as they happen, such as the console's dev phone.
     */
    public void onRecord(Consumer<SandboxRecord> listener) {
        recordListeners.add(requireNonNull(listener, "listener"));
    }

    /**
     * Points the inbound messages of {@code number} at a webhook, as a Twilio number's {@code SmsUrl}
     * does; a later call for the same number replaces it.
     *
     * @param number one of the {@linkplain Builder#senders(Set) senders}, as written there ({@code
     *     +15550006789}, {@code whatsapp:+15550006789})
     * @param postTo where the webhook is posted, such as {@code http://127.0.0.1:8080/webhooks/twilio}
     * @param signedUrl the public URL the webhook is signed for, as Twilio signs for the URL it was
     *     configured with (the same as {@code postTo} unless a tunnel or proxy stands between)
     * @throws IllegalArgumentException if {@code number} is not a sender of this account, or a URL is
     *     not an absolute http(s) URL
     */
    public void configureWebhook(String number, URI postTo, String signedUrl) {
        requireNonNull(number, "number");
        requireNonNull(postTo, "postTo");
        requireNonNull(signedUrl, "signedUrl");
        if (!senders.contains(number)) {
            throw new IllegalArgumentException("number must be one of the sandbox's senders " + redacted(senders)
                    + " (TwilioSandbox.Builder#senders): " + redact(number));
        }
        if (!httpUrl(postTo)) {
            throw new IllegalArgumentException("postTo must be an absolute http or https URL: " + postTo);
        }
        URI signed;
        try {
            signed = URI.create(signedUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signedUrl must be an absolute http or https URL: " + signedUrl, e);
        }
        if (!httpUrl(signed)) {
            throw new IllegalArgumentException("signedUrl must be an absolute http or https URL: " + signedUrl);
        }
        webhooks.put(number, new Webhook(postTo, signedUrl));
        SandboxAccount.NumberState state = account.number(stripChannel(number));
        state.smsUrl = signedUrl;
        state.smsMethod = "POST";
    }

    /**
     * A phone texts {@code body} to one of the stand-in's numbers, and the stand-in does what Twilio
     * does: it stores the message ({@code SmsStatus} {@code received}, listed with direction {@code
     * inbound}); on SMS, when the whole text is a compliance keyword (any case, spaces around ignored),
     * it answers from the number with Twilio's default reply and, for a STOP-family word, refuses the
     * number's later sends to the phone with 21610 until a START-family word; then it posts the signed
     * webhook of the number, the keyword's included, and waits for the answer (15 s at most).
     *
     * <p>The webhook carries {@code AccountSid}, {@code ApiVersion}, {@code Body}, {@code From}, {@code
     * MessageSid}, {@code NumMedia}, {@code NumSegments}, {@code SmsMessageSid}, {@code SmsSid}, {@code
     * SmsStatus} and {@code To}, and on WhatsApp {@code ProfileName} ({@value #PROFILE_NAME}) and {@code
     * WaId}.
     *
     * @param from the phone, E.164, with the {@code whatsapp:} prefix on WhatsApp
     * @param to the number texted, written as in {@link Builder#senders(Set)}
     * @param body the text, at most 1600 characters, possibly empty
     * @return the stored message, Twilio's answer if any, and the webhook's answer
     * @throws IllegalArgumentException if {@code from} is not a phone number on {@code to}'s channel,
     *     {@code to} is not a number of this account, or {@code body} is too long
     * @throws IllegalStateException if {@code to} has no {@linkplain #configureWebhook webhook}, or the
     *     stand-in is not started
     * @throws UncheckedIOException if the webhook could not be posted (the message is stored and any
     *     keyword answered all the same, as on Twilio)
     */
    public TextOutcome text(String from, String to, String body) {
        return post(from, to, body, List.of(), List.of());
    }

    /**
     * A phone texts an MMS (or a WhatsApp media message) to one of the stand-in's numbers: as {@link
     * #text}, with an {@code MM…} sid and, for each item, {@code MediaUrl}{@code N} on the stand-in's
     * own origin ({@code /2010-04-01/Accounts/{AccountSid}/Messages/{MM…}/Media/{ME…}}, served with
     * the account's basic auth only, as Twilio serves it) and {@code MediaContentType}{@code N}.
     *
     * @param media the items, at most {@value #MAX_MEDIA}, each at most 5 MB
     * @throws IllegalArgumentException as for {@link #text}, or if there are no media, too many, or
     *     one is too large
     */
    public TextOutcome textMedia(
            String from, String to, String body, List<dev.switchboard.channel.MediaContent> media) {
        requireNonNull(media, "media");
        if (media.isEmpty() || media.size() > MAX_MEDIA) {
            throw new IllegalArgumentException("an MMS carries 1 to " + MAX_MEDIA + " media: " + media.size());
        }
        for (dev.switchboard.channel.MediaContent item : media) {
            if (item.size() > MAX_MEDIA_BYTES) {
                throw new IllegalArgumentException(
                        "a media item is " + item.size() + " bytes, over Twilio's 5 MB (" + MAX_MEDIA_BYTES + ")");
            }
        }
        return post(from, to, body, media, List.of());
    }

    /**
     * A webhook whose {@code MediaUrl0} points wherever the test says (another host, account or
     * message), as a forged or mistaken webhook would: the stand-in stores no media for it.
     */
    public TextOutcome textMediaUrl(String from, String to, String body, URI mediaUrl, String contentType) {
        requireNonNull(mediaUrl, "mediaUrl");
        requireNonNull(contentType, "contentType");
        return post(
                from,
                to,
                body,
                List.of(),
                List.of(new SandboxMedia(mediaUrl.toString(), contentType, 0, Optional.empty())));
    }

    /**
     * Makes the next {@code times} fetches of texted media answer 404 (after authentication), as
     * Twilio does for a moment while it stores the media of a message it has just posted.
     */
    public void failMediaFetches(int times) {
        if (times < 0) {
            throw new IllegalArgumentException("times cannot be negative: " + times);
        }
        mediaNotFound.set(times);
    }

    /** How many requests for media paths the stand-in received, answered or refused. */
    public int mediaRequests() {
        return mediaRequests.get();
    }

    private TextOutcome post(
            String from,
            String to,
            String body,
            List<dev.switchboard.channel.MediaContent> items,
            List<SandboxMedia> foreign) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(body, "body");
        if (!senders.contains(to)) {
            throw new IllegalArgumentException(
                    "to must be one of the sandbox's senders " + redacted(senders) + ": " + redact(to));
        }
        boolean whatsApp = to.startsWith(WHATSAPP);
        if (whatsApp != from.startsWith(WHATSAPP)
                || !E164.matcher(stripChannel(from)).matches()) {
            throw new IllegalArgumentException("from must be a phone number in E.164 form"
                    + (whatsApp ? " with the whatsapp: prefix" : "") + " to text " + redact(to) + ": "
                    + redact(from));
        }
        if (body.length() > MAX_BODY) {
            throw new IllegalArgumentException(
                    "body is " + body.length() + " characters, more than a message carries (" + MAX_BODY + ")");
        }
        Webhook webhook = webhooks.get(to);
        if (webhook == null) {
            throw new IllegalStateException("the sandbox number " + redact(to)
                    + " has no webhook: call TwilioSandbox#configureWebhook for it first");
        }
        HttpClient client;
        synchronized (this) {
            if (address == null) {
                throw new IllegalStateException("the sandbox is not started");
            }
            client = callbackClient;
        }
        boolean mms = !items.isEmpty() || !foreign.isEmpty();
        String sid = mms ? "MM" + newSid().substring(2) : newSid();
        List<SandboxMedia> carried = new ArrayList<>(foreign);
        for (dev.switchboard.channel.MediaContent item : items) {
            String path =
                    "/2010-04-01/Accounts/" + accountSid + "/Messages/" + sid + "/Media/ME" + newSid().substring(2);
            media.put(path, item);
            carried.add(
                    new SandboxMedia(baseUrl() + path, mediaType(item.contentType()), item.size(), Optional.empty()));
        }
        SandboxMessage inbound = new SandboxMessage(
                sid,
                SandboxMessage.Direction.INBOUND,
                Optional.of(from),
                Optional.empty(),
                to,
                body,
                carried.stream().map(SandboxMedia::url).toList(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                clock.instant(),
                carried);
        Stored stored = new Stored(inbound, sequence.incrementAndGet(), "received");
        messages.put(inbound.sid(), stored);
        changed(stored);
        Optional<SandboxMessage> answer =
                whatsApp ? Optional.empty() : OptOutKeyword.of(body).map(keyword -> answerKeyword(keyword, from, to));
        HttpRequest request = webhook(inbound, webhook);
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            log.debug("webhook of {} for {} answered {}", redact(to), inbound.sid(), response.statusCode());
            return new TextOutcome(inbound, answer, response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "the webhook of " + redact(to) + " at " + webhook.postTo() + " could not be posted: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while posting the webhook of " + redact(to), e);
        }
    }

    /** Records what {@code keyword} means for {@code phone} on {@code number}, and sends Twilio's answer. */
    private SandboxMessage answerKeyword(OptOutKeyword keyword, String phone, String number) {
        Set<String> out = unsubscribed.computeIfAbsent(number, n -> ConcurrentHashMap.newKeySet());
        switch (keyword) {
            case STOP -> out.add(phone);
            case START -> {
                out.remove(phone);
                optedOut.remove(phone);
            }
            case HELP -> {
                // An answer, no change.
            }
        }
        // Twilio's answer is a reply to the inbound message, from the number texted.
        SandboxMessage answer = new SandboxMessage(
                newSid(),
                SandboxMessage.Direction.OUTBOUND_REPLY,
                Optional.of(number),
                Optional.empty(),
                phone,
                keyword.answer(),
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                clock.instant());
        accept(answer);
        return answer;
    }

    private HttpRequest webhook(SandboxMessage inbound, Webhook webhook) {
        String from = inbound.from().orElseThrow();
        Map<String, List<String>> params = new TreeMap<>();
        params.put("AccountSid", List.of(accountSid));
        params.put("ApiVersion", List.of(API_VERSION));
        params.put("Body", List.of(inbound.body()));
        params.put("From", List.of(from));
        params.put("MessageSid", List.of(inbound.sid()));
        params.put("NumMedia", List.of(Integer.toString(inbound.media().size())));
        for (int i = 0; i < inbound.media().size(); i++) {
            params.put("MediaUrl" + i, List.of(inbound.media().get(i).url()));
            params.put("MediaContentType" + i, List.of(inbound.media().get(i).contentType()));
        }
        params.put("NumSegments", List.of(segments(inbound.body())));
        params.put("SmsMessageSid", List.of(inbound.sid()));
        params.put("SmsSid", List.of(inbound.sid()));
        params.put("SmsStatus", List.of("received"));
        params.put("To", List.of(inbound.to()));
        if (from.startsWith(WHATSAPP)) {
            params.put("ProfileName", List.of(PROFILE_NAME));
            params.put("WaId", List.of(stripChannel(from).substring(1)));
        }
        return HttpRequest.newBuilder(webhook.postTo())
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", TwilioSignature.sign(authToken, webhook.signedUrl(), params))
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(params)))
                .build();
    }

    /** Whether {@code number} (written as in {@link Builder#senders(Set)}) has a webhook to text. */
    public boolean hasWebhook(String number) {
        return webhooks.containsKey(requireNonNull(number, "number"));
    }

    /** Every message so far, oldest first: sent, texted to the stand-in, and its keyword answers. */
    public List<SandboxMessage> messages() {
        return messages.values().stream()
                .sorted(OLDEST_FIRST)
                .map(Stored::message)
                .toList();
    }

    /** Every message so far with its status now, oldest first, as {@link #onRecord} reports them. */
    public List<SandboxRecord> records() {
        return messages.values().stream().sorted(OLDEST_FIRST).map(this::record).toList();
    }

    /**
     * The bytes of the media item {@code index} (from 0) of message {@code sid}: for a message a phone
     * texted, the item it carried; for a sent one, what the stand-in fetched from its {@code MediaUrl}.
     * Empty when there is no such message or item, or its fetch failed.
     */
    public Optional<dev.switchboard.channel.MediaContent> mediaContent(String sid, int index) {
        requireNonNull(sid, "sid");
        List<dev.switchboard.channel.MediaContent> fetched = fetchedMedia.get(sid);
        if (fetched != null) {
            return index >= 0 && index < fetched.size() ? Optional.ofNullable(fetched.get(index)) : Optional.empty();
        }
        Stored stored = messages.get(sid);
        if (stored == null || index < 0 || index >= stored.message().media().size()) {
            return Optional.empty();
        }
        // A phone's media are kept by the path the stand-in serves them on; a forged URL has none.
        String url = stored.message().media().get(index).url();
        try {
            return Optional.ofNullable(media.get(URI.create(url).getRawPath()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** How many message creations were requested, including refused and failed ones. */
    public int createRequests() {
        return createRequests.get();
    }

    /** Answers the next message creation with {@code fault} instead of success; faults queue up. */
    public void enqueueFault(SandboxFault fault) {
        synchronized (faults) {
            faults.add(requireNonNull(fault, "fault"));
        }
    }

    /**
     * Refuses sends to {@code to} from every number with 21610, as Twilio does after the recipient
     * replied STOP, until {@code to} texts a START-family word to one of the numbers.
     */
    public void optOut(String to) {
        optedOut.add(requireNonNull(to, "to"));
    }

    /**
     * Posts a status callback for the message {@code sid} to its {@code StatusCallback} URL, signed
     * like Twilio's, and records {@code status} as the message's: whatever a test needs, in any order
     * and as often as it likes.
     *
     * @param status Twilio's status ({@code queued}, {@code sent}, {@code delivered}, {@code
     *     undelivered}, {@code failed}, {@code read}…)
     * @param errorCode the {@code ErrorCode} to report, if any
     * @return the HTTP status the callback was answered with
     * @throws IllegalArgumentException if no message has the sid, or it was sent without a {@code
     *     StatusCallback}
     * @throws UncheckedIOException if the callback could not be posted
     */
    public int sendStatusCallback(String sid, String status, Optional<String> errorCode) {
        requireNonNull(sid, "sid");
        requireNonNull(status, "status");
        requireNonNull(errorCode, "errorCode");
        Stored stored = messages.get(sid);
        if (stored == null) {
            throw new IllegalArgumentException("the sandbox has no message " + sid);
        }
        String url = stored.message()
                .statusCallback()
                .orElseThrow(() -> new IllegalArgumentException("message " + sid + " has no StatusCallback"));
        stored.errorCode = errorCode.flatMap(TwilioSandbox::errorNumber).orElse(stored.errorCode);
        stored.status = status;
        changed(stored);
        try {
            return callbackClient
                    .send(callback(stored, status, errorCode, url), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException("status callback " + status + " for " + sid + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while posting a status callback", e);
        }
    }

    // ---- the account as the REST API shows it, and the problems a setup check diagnoses ----

    /**
     * While {@code refuse} is true, answers every REST call with HTTP 401 and error 20003, as Twilio
     * answers wrong credentials (or a token rotated since). Default: false.
     */
    public void refuseCredentials(boolean refuse) {
        account.refuseCredentials(refuse);
    }

    /**
     * The account's {@code status} as {@code GET /2010-04-01/Accounts/{Sid}.json} reports it: {@code
     * active} (the default), {@code suspended} or {@code closed}. Only the report changes.
     *
     * @throws IllegalArgumentException for any other value
     */
    public void accountStatus(String status) {
        account.status(requireNonNull(status, "status"));
    }

    /**
     * The account's {@code type}: {@code Full} (the default) or {@code Trial}. Only the report changes.
     *
     * @throws IllegalArgumentException for any other value
     */
    public void accountType(String type) {
        account.type(requireNonNull(type, "type"));
    }

    /**
     * Takes {@code number} out of the account, as when it was released or belongs to another
     * account: {@code IncomingPhoneNumbers} no longer lists it, and sends from it fail with 21606.
     *
     * @param number a sender, with or without its {@code whatsapp:} prefix
     * @throws IllegalArgumentException if it is not one of the senders
     */
    public void releaseNumber(String number) {
        account.number(stripChannel(requireNonNull(number, "number"))).released = true;
    }

    /**
     * Sets the number's {@code SmsUrl} as the console would: the REST API reports it, and the number's
     * webhook is then signed for it (and posted to it, unless {@link #configureWebhook} gave a separate
     * address to post to, as behind a tunnel). Empty means not set: the number's texts are then not
     * passed on.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders
     */
    public void numberSmsUrl(String number, String smsUrl) {
        requireNonNull(smsUrl, "smsUrl");
        SandboxAccount.NumberState state = account.number(stripChannel(requireNonNull(number, "number")));
        state.smsUrl = smsUrl;
        smsUrlChanged(state.phone, smsUrl);
    }

    /**
     * Sets the number's {@code SmsMethod}, {@code GET} or {@code POST} (the default). Only the REST API's
     * report changes: texts are still posted.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders, or another method
     */
    public void numberSmsMethod(String number, String method) {
        requireNonNull(method, "method");
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new IllegalArgumentException("method must be GET or POST: " + method);
        }
        account.number(stripChannel(requireNonNull(number, "number"))).smsMethod = method;
    }

    /**
     * Sets the number's {@code SmsApplicationSid}, a TwiML application that overrides its {@code SmsUrl}
     * on Twilio; empty clears it (the default). Only the REST API's report changes.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders, or the sid is not
     *     empty nor {@code AP} and 32 hex digits
     */
    public void numberSmsApplicationSid(String number, String applicationSid) {
        requireNonNull(applicationSid, "applicationSid");
        if (!applicationSid.isEmpty() && !applicationSid.matches("AP[0-9a-f]{32}")) {
            throw new IllegalArgumentException(
                    "applicationSid must be empty or AP followed by 32 hex digits: " + applicationSid);
        }
        account.number(stripChannel(requireNonNull(number, "number"))).smsApplicationSid = applicationSid;
    }

    /**
     * The number's SMS and MMS {@code capabilities} as the REST API reports them; both true by default.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders
     */
    public void numberCapabilities(String number, boolean sms, boolean mms) {
        SandboxAccount.NumberState state = account.number(stripChannel(requireNonNull(number, "number")));
        state.sms = sms;
        state.mms = mms;
    }

    /**
     * The {@code SmsUrl} the REST API reports for {@code number}; empty when not set.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders
     */
    public String numberSmsUrl(String number) {
        return account.number(stripChannel(requireNonNull(number, "number"))).smsUrl;
    }

    /**
     * The {@code sid} ({@code PN…}) of {@code number} in {@code IncomingPhoneNumbers}.
     *
     * @throws IllegalArgumentException if {@code number} is not one of the senders
     */
    public String numberSid(String number) {
        return account.number(stripChannel(requireNonNull(number, "number"))).sid;
    }

    /**
     * Adds a Messaging Service to the account, for {@code GET /v1/Services/{Sid}}, its {@code
     * PhoneNumbers} and {@code POST /v1/Services/{Sid}}. Its inbound settings are reported and
     * updated; texts are still posted to each number's own webhook.
     *
     * @param numbers its sender pool, senders of this stand-in; may be empty
     * @param inboundRequestUrl its {@code InboundRequestUrl}, or null for none
     * @param useInboundWebhookOnNumber its {@code UseInboundWebhookOnNumber}: whether the numbers'
     *     own {@code SmsUrl} counts instead
     * @return the service's sid, {@code MG…}
     * @throws IllegalArgumentException if a number is not one of the senders
     */
    public String addMessagingService(
            Set<String> numbers, String inboundRequestUrl, boolean useInboundWebhookOnNumber) {
        requireNonNull(numbers, "numbers");
        Set<String> phones = new java.util.LinkedHashSet<>();
        numbers.forEach(n -> phones.add(stripChannel(n)));
        return account.addService(phones, inboundRequestUrl, useInboundWebhookOnNumber);
    }

    /**
     * Stores a message texted from {@code from} to {@code to} whose webhook failed with {@code
     * errorCode} (11200 when the webhook did not answer, say), listed by {@code GET Messages.json} with
     * that {@code error_code}; nothing is posted.
     *
     * @throws IllegalArgumentException if {@code to} is not one of the senders
     */
    public SandboxMessage addFailedInbound(String from, String to, int errorCode) {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (!senders.contains(to)) {
            throw new IllegalArgumentException(
                    "to must be one of the sandbox's senders " + redacted(senders) + ": " + redact(to));
        }
        SandboxMessage inbound = new SandboxMessage(
                newSid(),
                SandboxMessage.Direction.INBOUND,
                Optional.of(from),
                Optional.empty(),
                to,
                "",
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                clock.instant());
        Stored stored = new Stored(inbound, sequence.incrementAndGet(), "received");
        stored.errorCode = errorCode;
        messages.put(inbound.sid(), stored);
        changed(stored);
        return inbound;
    }

    /** The updates of numbers and Messaging Services the REST API accepted, oldest first. */
    public List<SandboxUpdate> updates() {
        return account.updates();
    }

    /**
     * The REST requests the stand-in answered and its answers, oldest first: every request, refused,
     * failed or not; the latest 1000 once there are more.
     */
    public List<SandboxExchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    /** After a number's {@code SmsUrl} changed: its webhooks are signed for the new URL, as Twilio's are. */
    private void smsUrlChanged(String phone, String smsUrl) {
        for (String sender : List.of(phone, WHATSAPP + phone)) {
            if (smsUrl.isEmpty()) {
                webhooks.remove(sender);
                continue;
            }
            if (!senders.contains(sender) || !httpUrl(URI.create(smsUrl))) {
                continue;
            }
            // Posted where it was unless that was the old URL itself: a tunnel still leads to the same place.
            webhooks.compute(
                    sender,
                    (key, webhook) -> new Webhook(
                            webhook == null || webhook.postTo().toString().equals(webhook.signedUrl())
                                    ? URI.create(smsUrl)
                                    : webhook.postTo(),
                            smsUrl));
        }
    }

    @Override
    public synchronized void close() {
        if (address == null) {
            return;
        }
        if (accepting) {
            server.stop(0);
            accepting = false;
        }
        callbackScheduler.shutdownNow();
        requestExecutor.shutdownNow();
        address = null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        exchange.setStreams(new ByteArrayInputStream(body), null);
        requestBody.set(body);
        try {
            answer(exchange);
        } finally {
            if (requestBody.get() != null) {
                // Closed without an answer.
                record(exchange, SandboxExchange.NO_ANSWER, new byte[0]);
            }
        }
    }

    /**
     * Records the exchange as it is answered, before the answer is written: a client that has its
     * answer finds the exchange in {@link #exchanges()}.
     */
    private void record(HttpExchange exchange, int status, byte[] answer) {
        byte[] body = requestBody.get();
        requestBody.remove();
        if (body == null) {
            return;
        }
        SandboxExchange recorded = new SandboxExchange(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(),
                decodeForm(Optional.ofNullable(exchange.getRequestURI().getRawQuery())
                        .orElse("")),
                decodeForm(new String(body, StandardCharsets.UTF_8)),
                status,
                new String(answer, StandardCharsets.UTF_8));
        synchronized (exchanges) {
            if (exchanges.size() == MAX_EXCHANGES) {
                exchanges.removeFirst();
            }
            exchanges.addLast(recorded);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Matcher mediaPath = MEDIA.matcher(path);
            if (mediaPath.matches()) {
                serveMedia(exchange, path, mediaPath.group(1));
                return;
            }
            Matcher list = MESSAGES.matcher(path);
            Matcher one = MESSAGE.matcher(path);
            boolean messagesRoute = list.matches() || one.matches();
            Optional<String> pathAccount = messagesRoute
                    ? Optional.of(list.matches() ? list.group(1) : one.group(1))
                    : account.pathAccount(path);
            if (pathAccount.isEmpty()) {
                sendError(exchange, 404, 20404, "The requested resource " + path + " was not found");
                return;
            }
            if (!authorised(exchange, pathAccount.get())) {
                sendError(exchange, 401, 20003, "Authenticate");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!messagesRoute) {
                Map<String, List<String>> query =
                        decodeForm(Optional.ofNullable(exchange.getRequestURI().getRawQuery())
                                .orElse(""));
                Map<String, List<String>> form = method.equals("POST")
                        ? decodeForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                        : Map.of();
                SandboxAccount.Reply reply = account.handle(method, path, query, form);
                sendJson(exchange, reply.status(), reply.body());
            } else if (list.matches() && method.equals("POST")) {
                create(exchange);
            } else if (list.matches() && method.equals("GET")) {
                list(exchange);
            } else if (one.matches() && method.equals("GET")) {
                fetch(exchange, one.group(2));
            } else {
                sendError(exchange, 405, 20004, "Method not allowed");
            }
        } catch (RuntimeException e) {
            log.warn("Twilio sandbox failed to answer a request", e);
            sendError(exchange, 500, 0, "Internal Server Error");
        }
    }

    /**
     * Serves a texted media item as Twilio does with basic auth on media: 401 without the account's
     * credentials, 404 for an unknown item or while {@link #failMediaFetches} lasts. Media are bytes,
     * not REST answers, so they are not kept in {@link #exchanges()}.
     */
    private void serveMedia(HttpExchange exchange, String path, String pathAccount) throws IOException {
        requestBody.remove();
        mediaRequests.incrementAndGet();
        int status;
        byte[] body = new byte[0];
        dev.switchboard.channel.MediaContent item = media.get(path);
        if (!exchange.getRequestMethod().equals("GET")) {
            status = 405;
        } else if (!authorised(exchange, pathAccount)) {
            status = 401;
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Twilio API\"");
        } else if (item == null || mediaNotFound.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            status = 404;
        } else {
            status = 200;
            body = item.bytes();
            exchange.getResponseHeaders().set("Content-Type", item.contentType());
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private boolean authorised(HttpExchange exchange, String pathAccount) {
        if (account.refusesCredentials()) {
            return false;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return decoded.equals(accountSid + ":" + authToken) && pathAccount.equals(accountSid);
    }

    private void create(HttpExchange exchange) throws IOException {
        createRequests.incrementAndGet();
        Map<String, List<String>> form =
                decodeForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String to = first(form, "To").orElse("");
        Optional<String> from = first(form, "From");
        Optional<String> service = first(form, "MessagingServiceSid");
        String body = first(form, "Body").orElse("");
        List<String> media = form.getOrDefault("MediaUrl", List.of());
        Optional<String> contentSid = first(form, "ContentSid");

        if (to.isEmpty()) {
            sendError(exchange, 400, 21604, "A 'To' phone number is required.");
            return;
        }
        if (!E164.matcher(stripChannel(to)).matches()) {
            sendError(exchange, 400, 21211, "Invalid 'To' Phone Number: " + Address.redact(to));
            return;
        }
        if (from.isEmpty() && service.isEmpty()) {
            sendError(exchange, 400, 21603, "A 'From' phone number is required.");
            return;
        }
        if (from.isPresent() && (!senders.contains(from.get()) || account.released(stripChannel(from.get())))) {
            sendError(
                    exchange,
                    400,
                    21606,
                    "The 'From' phone number provided (" + Address.redact(from.get())
                            + ") is not a valid message-capable Twilio phone number for this destination/account.");
            return;
        }
        if (body.isEmpty() && media.isEmpty() && contentSid.isEmpty()) {
            sendError(exchange, 400, 21602, "Message body is required.");
            return;
        }
        if (body.length() > MAX_BODY) {
            sendError(exchange, 400, 21617, "The concatenated message body exceeds the 1600 character limit.");
            return;
        }
        MagicNumber magic = MagicNumber.of(stripChannel(to));
        if (magic != null) {
            sendError(exchange, 400, magic.code, magic.message);
            return;
        }
        if (optedOut.contains(stripChannel(to)) || optedOut.contains(to) || unsubscribedFrom(from, to)) {
            sendError(exchange, 400, 21610, "Attempt to send to unsubscribed recipient");
            return;
        }
        SandboxFault fault;
        synchronized (faults) {
            fault = faults.poll();
        }
        if (media.size() > MAX_MEDIA) {
            sendError(exchange, 400, 21623, "The number of media exceeds the limit of " + MAX_MEDIA + ".");
            return;
        }
        // Kept for the console to show what was delivered; null where the fetch failed.
        List<dev.switchboard.channel.MediaContent> fetched = new ArrayList<>();
        SandboxMessage message = new SandboxMessage(
                newSid(),
                SandboxMessage.Direction.OUTBOUND_API,
                from,
                service,
                to,
                body,
                media,
                contentSid,
                first(form, "ContentVariables"),
                first(form, "StatusCallback"),
                clock.instant(),
                media.stream().map(url -> fetchMedia(url, fetched)).toList());
        if (fault == null || fault.createAnyway()) {
            if (!fetched.isEmpty()) {
                fetchedMedia.put(message.sid(), java.util.Collections.unmodifiableList(fetched));
            }
            accept(message);
        }
        if (fault != null && fault.httpStatus() == SandboxFault.NO_ANSWER) {
            // The exchange closes without an answer: the caller sees the connection drop.
            return;
        }
        if (fault != null) {
            fault.retryAfter().ifPresent(d -> exchange.getResponseHeaders()
                    .set("Retry-After", Long.toString(Math.max(0, d.toSeconds()))));
            sendError(exchange, fault.httpStatus(), fault.code(), fault.message());
            return;
        }
        sendJson(exchange, 201, toJson(messages.get(message.sid())));
    }

    /**
     * Fetches a {@code MediaUrl} as Twilio does before delivering: GET, no credentials, redirects
     * followed. The stand-in reaches this machine only, so a URL on another host fails as an
     * unreachable one does on Twilio. Adds what was fetched to {@code bytes}, null if nothing.
     */
    private SandboxMedia fetchMedia(String url, List<dev.switchboard.channel.MediaContent> bytes) {
        Fetch fetch = fetch(url);
        bytes.add(fetch.content());
        return fetch.media();
    }

    /** A fetched media item, and its bytes when the fetch succeeded (null otherwise). */
    private record Fetch(SandboxMedia media, dev.switchboard.channel.MediaContent content) {
        static Fetch failed(SandboxMedia media) {
            return new Fetch(media, null);
        }
    }

    private Fetch fetch(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Fetch.failed(new SandboxMedia(url, "", 0, Optional.of("not a URL")));
        }
        if (!httpUrl(uri)) {
            return Fetch.failed(new SandboxMedia(url, "", 0, Optional.of("not an http(s) URL")));
        }
        if (!isLoopback(uri.getHost())) {
            return Fetch.failed(new SandboxMedia(
                    url, "", 0, Optional.of("the sandbox reaches only this machine, not " + uri.getHost())));
        }
        try {
            HttpResponse<byte[]> response = mediaClient.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                return Fetch.failed(new SandboxMedia(url, "", 0, Optional.of("answered " + response.statusCode())));
            }
            String type = response.headers()
                    .firstValue("Content-Type")
                    .map(TwilioSandbox::mediaType)
                    .orElse("");
            if (type.isEmpty()) {
                return Fetch.failed(new SandboxMedia(url, "", 0, Optional.of("answered without a Content-Type")));
            }
            return new Fetch(
                    new SandboxMedia(url, type, response.body().length, Optional.empty()),
                    new dev.switchboard.channel.MediaContent(type, response.body()));
        } catch (IOException e) {
            return Fetch.failed(new SandboxMedia(
                    url, "", 0, Optional.of("no answer: " + e.getClass().getSimpleName())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Fetch.failed(new SandboxMedia(url, "", 0, Optional.of("interrupted")));
        }
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .strip()
                .toLowerCase(Locale.ROOT);
    }

    private void accept(SandboxMessage message) {
        Stored stored = new Stored(message, sequence.incrementAndGet(), "queued");
        if (message.media().stream().anyMatch(m -> !m.fetched())) {
            // Twilio accepts the message, then fails it when a MediaUrl cannot be retrieved.
            stored.errorCode = MEDIA_RETRIEVAL_FAILURE;
        }
        if (message.statusCallback().isEmpty()) {
            stored.status = stored.errorCode != null ? "failed" : "delivered";
        }
        messages.put(message.sid(), stored);
        changed(stored);
        for (Consumer<SandboxMessage> listener : listeners) {
            try {
                listener.accept(message);
            } catch (RuntimeException e) {
                log.warn("a sandbox message listener failed", e);
            }
        }
        boolean mediaFailed = stored.errorCode != null;
        message.statusCallback().filter(url -> automaticCallbacks).ifPresent(url -> {
            long delay = callbackDelay.toMillis();
            if (mediaFailed) {
                callbackScheduler.schedule(
                        () -> advance(stored, "failed", url, Optional.of(Integer.toString(MEDIA_RETRIEVAL_FAILURE))),
                        delay,
                        TimeUnit.MILLISECONDS);
                return;
            }
            callbackScheduler.schedule(() -> advance(stored, "sent", url), delay, TimeUnit.MILLISECONDS);
            callbackScheduler.schedule(() -> advance(stored, "delivered", url), 2 * delay, TimeUnit.MILLISECONDS);
        });
    }

    private void advance(Stored stored, String status, String callbackUrl) {
        advance(stored, status, callbackUrl, Optional.empty());
    }

    private void advance(Stored stored, String status, String callbackUrl, Optional<String> errorCode) {
        stored.status = status;
        changed(stored);
        SandboxMessage message = stored.message();
        callbackClient
                .sendAsync(callback(stored, status, errorCode, callbackUrl), HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        log.warn("status callback {} for {} failed: {}", status, message.sid(), failure.toString());
                    } else if (response.statusCode() != 200) {
                        log.warn("status callback {} for {} answered {}", status, message.sid(), response.statusCode());
                    }
                });
    }

    private HttpRequest callback(Stored stored, String status, Optional<String> errorCode, String callbackUrl) {
        SandboxMessage message = stored.message();
        Map<String, List<String>> params = new TreeMap<>();
        params.put("AccountSid", List.of(accountSid));
        params.put("ApiVersion", List.of(API_VERSION));
        params.put("From", List.of(message.from().orElseGet(() -> senders.stream()
                .findFirst()
                .orElse(""))));
        params.put("To", List.of(message.to()));
        params.put("MessageSid", List.of(message.sid()));
        params.put("SmsSid", List.of(message.sid()));
        params.put("MessageStatus", List.of(status));
        params.put("SmsStatus", List.of(status));
        message.messagingServiceSid().ifPresent(s -> params.put("MessagingServiceSid", List.of(s)));
        errorCode.ifPresent(code -> params.put("ErrorCode", List.of(code)));
        return HttpRequest.newBuilder(URI.create(callbackUrl))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", TwilioSignature.sign(authToken, callbackUrl, params))
                .POST(HttpRequest.BodyPublishers.ofString(encodeForm(params)))
                .build();
    }

    private void list(HttpExchange exchange) throws IOException {
        Map<String, List<String>> query = decodeForm(
                Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse(""));
        Optional<String> to = first(query, "To");
        Optional<String> from = first(query, "From");
        Optional<LocalDate> sentOnOrAfter = first(query, "DateSent>").map(LocalDate::parse);
        Optional<LocalDate> sentOnOrBefore = first(query, "DateSent<").map(LocalDate::parse);
        Optional<LocalDate> sentOn = first(query, "DateSent").map(LocalDate::parse);
        int pageSize = first(query, "PageSize").map(Integer::parseInt).orElse(50);
        List<Map<String, Object>> page = new ArrayList<>();
        messages.values().stream()
                .sorted(OLDEST_FIRST.reversed())
                .filter(s -> to.isEmpty() || to.get().equals(s.message().to()))
                .filter(s ->
                        from.isEmpty() || from.get().equals(s.message().from().orElse("")))
                .filter(s -> {
                    LocalDate day = LocalDate.ofInstant(s.message().createdAt(), ZoneOffset.UTC);
                    return sentOnOrAfter.map(d -> !day.isBefore(d)).orElse(true)
                            && sentOnOrBefore.map(d -> !day.isAfter(d)).orElse(true)
                            && sentOn.map(day::equals).orElse(true);
                })
                .limit(pageSize)
                .forEach(s -> page.add(toJson(s)));
        String uri = exchange.getRequestURI().toString();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("end", Math.max(0, page.size() - 1));
        answer.put("first_page_uri", uri);
        answer.put("next_page_uri", null);
        answer.put("page", 0);
        answer.put("page_size", pageSize);
        answer.put("previous_page_uri", null);
        answer.put("start", 0);
        answer.put("uri", uri);
        answer.put("messages", page);
        sendJson(exchange, 200, answer);
    }

    private void fetch(HttpExchange exchange, String sid) throws IOException {
        Stored stored = messages.get(sid);
        if (stored == null) {
            sendError(exchange, 404, 20404, "The requested resource was not found");
            return;
        }
        sendJson(exchange, 200, toJson(stored));
    }

    private Map<String, Object> toJson(Stored stored) {
        SandboxMessage m = stored.message();
        String created = RFC_2822.format(m.createdAt());
        String uri = "/2010-04-01/Accounts/" + accountSid + "/Messages/" + m.sid();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", accountSid);
        out.put("api_version", API_VERSION);
        out.put("body", m.body());
        out.put("date_created", created);
        out.put("date_sent", created);
        out.put("date_updated", created);
        out.put("direction", m.direction().twilioName());
        out.put("error_code", stored.errorCode);
        out.put("error_message", stored.errorCode == null ? null : ERROR_MESSAGES.get(stored.errorCode));
        out.put("from", m.from().orElse(null));
        out.put("messaging_service_sid", m.messagingServiceSid().orElse(null));
        out.put("num_media", Integer.toString(m.mediaUrls().size()));
        out.put("num_segments", segments(m.body()));
        out.put("price", null);
        out.put("price_unit", "USD");
        out.put("sid", m.sid());
        out.put("status", stored.status);
        out.put("subresource_uris", Map.of("media", uri + "/Media.json"));
        out.put("to", m.to());
        out.put("uri", uri + ".json");
        return out;
    }

    private SandboxRecord record(Stored stored) {
        Integer code = stored.errorCode;
        return new SandboxRecord(
                stored.message(),
                stored.status,
                Optional.ofNullable(code),
                code == null ? Optional.empty() : Optional.ofNullable(ERROR_MESSAGES.get(code)));
    }

    /** Tells the record listeners of the message's state now. */
    private void changed(Stored stored) {
        if (recordListeners.isEmpty()) {
            return;
        }
        SandboxRecord now = record(stored);
        for (Consumer<SandboxRecord> listener : recordListeners) {
            try {
                listener.accept(now);
            } catch (RuntimeException e) {
                log.warn("a sandbox record listener failed", e);
            }
        }
    }

    private static Optional<Integer> errorNumber(String code) {
        try {
            return Optional.of(Integer.valueOf(code.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void sendError(HttpExchange exchange, int status, int code, String message) throws IOException {
        if (code == 0) {
            byte[] body = message.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            record(exchange, status, body);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            return;
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        error.put("status", status);
        sendJson(exchange, status, error);
    }

    private void sendJson(HttpExchange exchange, int status, Object value) throws IOException {
        byte[] body;
        try {
            body = json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        record(exchange, status, body);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    /**
     * Whether {@code to} texted STOP to the number {@code from} sends from; a Messaging Service send
     * (no {@code From}) is refused when {@code to} texted STOP to any SMS number of the account, as a
     * STOP to one number of a service opts out of the whole service.
     */
    private boolean unsubscribedFrom(Optional<String> from, String to) {
        if (from.isPresent()) {
            Set<String> out = unsubscribed.get(from.get());
            return out != null && out.contains(to);
        }
        return unsubscribed.values().stream().anyMatch(out -> out.contains(to));
    }

    private static String segments(String body) {
        return Integer.toString(Math.max(1, (body.length() + 152) / 153));
    }

    private static boolean httpUrl(URI uri) {
        return uri.isAbsolute()
                && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                && uri.getHost() != null;
    }

    /** {@code address} with its number redacted and any channel prefix kept, for messages that may be logged. */
    static String redact(String address) {
        int colon = address.indexOf(':');
        return colon < 0
                ? Address.redact(address)
                : address.substring(0, colon + 1) + Address.redact(address.substring(colon + 1));
    }

    private static String redacted(Set<String> addresses) {
        return addresses.stream().sorted().map(TwilioSandbox::redact).toList().toString();
    }

    private String newSid() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return "SM" + HexFormat.of().formatHex(bytes);
    }

    private static String stripChannel(String address) {
        int colon = address.indexOf(':');
        return colon < 0 ? address : address.substring(colon + 1);
    }

    private static Optional<String> first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private static Map<String, List<String>> decodeForm(String encoded) {
        return TwilioSignature.decodeForm(encoded.getBytes(StandardCharsets.UTF_8));
    }

    /** Encodes {@code params} as an {@code application/x-www-form-urlencoded} body. */
    public static String encodeForm(Map<String, List<String>> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((name, values) -> {
            for (String value : values) {
                if (out.length() > 0) {
                    out.append('&');
                }
                out.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                        .append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return out.toString();
    }

    static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * The {@code To} numbers Twilio's test credentials fail on purpose, failing here the same way, so
     * that a sample or test can provoke each error with configuration alone.
     */
    private enum MagicNumber {
        INVALID("+15005550001", 21211, "The 'To' number is not a valid phone number."),
        UNROUTABLE("+15005550002", 21612, "The 'To' phone number is not currently reachable via SMS."),
        NO_INTERNATIONAL("+15005550003", 21408, "Permission to send an SMS has not been enabled for the region."),
        UNSUBSCRIBED("+15005550004", 21610, "Attempt to send to unsubscribed recipient"),
        NOT_MOBILE("+15005550009", 21614, "'To' number is not a valid mobile number");

        private final String number;
        private final int code;
        private final String message;

        MagicNumber(String number, int code, String message) {
            this.number = number;
            this.code = code;
            this.message = message;
        }

        static MagicNumber of(String to) {
            for (MagicNumber magic : values()) {
                if (magic.number.equals(to)) {
                    return magic;
                }
            }
            return null;
        }
    }

    /** Where a number's inbound messages are posted, and the URL they are signed for. */
    private record Webhook(URI postTo, String signedUrl) {}

    private static final class Stored {
        private final SandboxMessage message;
        private final long sequence;
        private volatile String status;
        private volatile Integer errorCode;

        Stored(SandboxMessage message, long sequence, String status) {
            this.message = message;
            this.sequence = sequence;
            this.status = status;
        }

        SandboxMessage message() {
            return message;
        }
    }

    /** Configures a {@link TwilioSandbox}. */
    public static final class Builder {
        private final SecureRandom random = new SecureRandom();
        private String accountSid = "AC" + hex(16);
        private String authToken = hex(16);
        private Set<String> senders = Set.of();
        private int port;
        private Duration callbackDelay = Duration.ofMillis(200);
        private boolean automaticCallbacks = true;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The account SID to accept; default: a random {@code AC…} sid. */
        public Builder accountSid(String accountSid) {
            requireNonNull(accountSid, "accountSid");
            if (!accountSid.matches("AC[0-9a-f]{32}")) {
                throw new IllegalArgumentException("accountSid must be AC followed by 32 hex digits: " + accountSid);
            }
            this.accountSid = accountSid;
            return this;
        }

        /** The auth token to accept and sign with; default: a random one. */
        public Builder authToken(String authToken) {
            requireNonNull(authToken, "authToken");
            if (authToken.isBlank()) {
                throw new IllegalArgumentException("authToken cannot be blank");
            }
            this.authToken = authToken;
            return this;
        }

        /**
         * The {@code From} values this account may send from, as Twilio receives them ({@code
         * +15550006789}, {@code whatsapp:+15550006789}); a send from any other number fails with
         * 21606. Default: none, so only Messaging Service sends succeed.
         */
        public Builder senders(Set<String> senders) {
            this.senders = Set.copyOf(senders);
            return this;
        }

        /** The port on 127.0.0.1; default 0, any free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** How long after acceptance each status callback follows; default 200 ms. */
        public Builder callbackDelay(Duration callbackDelay) {
            requireNonNull(callbackDelay, "callbackDelay");
            if (callbackDelay.isNegative()) {
                throw new IllegalArgumentException("callbackDelay cannot be negative: " + callbackDelay);
            }
            this.callbackDelay = callbackDelay;
            return this;
        }

        /**
         * Whether each accepted message with a {@code StatusCallback} is reported {@code sent}, then
         * {@code delivered}, by itself; default true. Off, the messages stay {@code queued} until a
         * test calls {@link TwilioSandbox#sendStatusCallback}.
         */
        public Builder automaticStatusCallbacks(boolean automatic) {
            this.automaticCallbacks = automatic;
            return this;
        }

        /** The clock that stamps messages; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the stand-in; {@link TwilioSandbox#start()} binds it. */
        public TwilioSandbox build() {
            return new TwilioSandbox(this);
        }

        private String hex(int bytes) {
            byte[] value = new byte[bytes];
            random.nextBytes(value);
            return HexFormat.of().formatHex(value);
        }
    }
}
