package dev.switchboard.twilio.live;

import static java.util.Objects.requireNonNull;

import com.twilio.base.Page;
import com.twilio.exception.ApiConnectionException;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.HttpMethod;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.Account;
import com.twilio.rest.api.v2010.account.IncomingPhoneNumber;
import com.twilio.rest.api.v2010.account.IncomingPhoneNumberUpdater;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.messaging.v1.Service;
import com.twilio.rest.messaging.v1.ServiceUpdater;
import com.twilio.type.PhoneNumber;
import com.twilio.type.PhoneNumberCapabilities;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.ChannelException;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.channel.RetriableChannelException;
import dev.switchboard.twilio.internal.TwilioHttpTransport;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a real Twilio setup ({@link #doctor()}) and points its webhooks at the application ({@link
 * #configureWebhooks(boolean)}), with the Twilio Java SDK on a REST client of its own.
 *
 * <p>It reads the variables the channels read ({@link #fromEnv}). With {@code
 * TWILIO_MESSAGING_SERVICE_SID} set, the SMS channel sends through the Messaging Service, so the
 * service's inbound settings are the ones checked and set; with {@code UseInboundWebhookOnNumber}
 * true on the service, its numbers' {@code SmsUrl} counts instead ({@code TWILIO_PHONE_NUMBER} if
 * set, otherwise each number of the service). A WhatsApp sender is checked and set only where it is
 * an {@code IncomingPhoneNumber} of the account: a sender registered through WhatsApp's Senders API
 * or Twilio's WhatsApp sandbox has its webhook set in the console, where this cannot reach.
 *
 * <p>The REST calls are, against {@code https://api.twilio.com} and {@code
 * https://messaging.twilio.com} or the base URL of {@code TWILIO_API_BASE_URL}: {@code GET
 * /2010-04-01/Accounts/{Sid}.json}, {@code GET .../IncomingPhoneNumbers.json?PhoneNumber=…}, {@code
 * GET .../Messages.json?To=…&PageSize=50}, {@code GET /v1/Services/{Sid}}, {@code GET
 * /v1/Services/{Sid}/PhoneNumbers}, and to configure, {@code POST .../IncomingPhoneNumbers/{Sid}.json}
 * and {@code POST /v1/Services/{Sid}}. Each is one HTTP request: no retries.
 *
 * <p>Not thread-safe: one caller at a time. {@link #close()} releases the HTTP client and is
 * idempotent.
 */
public final class TwilioLive implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TwilioLive.class);

    /** How many recent messages to each number {@code recent-errors} reads: one page. */
    static final long RECENT_MESSAGES = 50;

    /** How many numbers of a Messaging Service are looked at one by one. */
    static final int SERVICE_NUMBERS_CHECKED = 5;

    /** Twilio's WhatsApp sandbox number, shared by every account and set up in the console. */
    static final String WHATSAPP_SANDBOX_NUMBER = "+14155238886";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern PHONE_NUMBER = Pattern.compile("(?<![0-9A-Za-z])\\+?[0-9]{8,15}(?![0-9A-Za-z])");
    private static final String REFUSED = "not checked: the credentials were refused";

    private static final Map<Integer, String[]> ERROR_ADVICE = Map.ofEntries(
            advice(
                    11200,
                    "HTTP retrieval failure: the webhook did not answer 2xx in time",
                    "make sure the application is running and reachable at the webhook URL, and answers within 15 s"),
            advice(
                    11205,
                    "HTTP connection failure: Twilio could not connect to the webhook",
                    "is the application or the tunnel running? Check the reachability check"),
            advice(
                    11206,
                    "HTTP protocol violation: the webhook's answer was not valid HTTP",
                    "check what stands in front of the application (proxy, tunnel)"),
            advice(
                    11210,
                    "HTTP bad host name: the webhook's host does not resolve",
                    "check the webhook URL's host; a tunnel's URL may have changed when it restarted"),
            advice(
                    12300,
                    "Invalid Content-Type: the webhook answered with a type Twilio cannot read",
                    "answer with TwiML (text/xml) or an empty body; check what stands in front of the application"),
            advice(
                    21610,
                    "the recipient replied STOP and is unsubscribed",
                    "send to them again only after they reply START"),
            advice(30003, "unreachable handset", "the phone is off or out of coverage; nothing to fix on this side"),
            advice(30005, "unknown or inactive number", "drop the number"),
            advice(30006, "landline or unreachable carrier", "drop the number"),
            advice(
                    30007,
                    "carrier filtering",
                    "register the sender (A2P 10DLC, toll-free verification) and review what is sent"),
            advice(30008, "unknown delivery error", "try again later; contact Twilio support if it persists"),
            advice(
                    30034,
                    "the sender is an unregistered A2P 10DLC number",
                    "register the brand and campaign of the number"),
            advice(63016, "WhatsApp's 24-hour window was closed", "send an approved template outside the window"));

    private final LiveSettings settings;
    private final com.twilio.http.HttpClient http;
    private final TwilioRestClient rest;
    private final WebhookProbe probe;
    private final AtomicBoolean closed = new AtomicBoolean();

    TwilioLive(LiveSettings settings, com.twilio.http.HttpClient http, WebhookProbe probe) {
        this.settings = requireNonNull(settings, "settings");
        this.http = requireNonNull(http, "http");
        this.probe = requireNonNull(probe, "probe");
        this.rest = new TwilioRestClient.Builder(
                        settings.credentials().accountSid(),
                        settings.credentials().authToken())
                .accountSid(settings.credentials().accountSid())
                .httpClient(http)
                .build();
    }

    /**
     * A checker for the setup the variables in {@code env} describe: {@code TWILIO_ACCOUNT_SID},
     * {@code TWILIO_AUTH_TOKEN}, {@code TWILIO_PHONE_NUMBER} or {@code TWILIO_MESSAGING_SERVICE_SID}
     * (or both), {@code SMS_WEBHOOK_URL}, {@code TWILIO_API_BASE_URL} (a local stand-in's base URL,
     * if set), and for WhatsApp {@code TWILIO_WHATSAPP_NUMBER} with {@code WHATSAPP_WEBHOOK_URL}. A
     * blank value counts as unset. REST calls wait 10 s to connect and 30 s for an answer; the
     * reachability probe waits 3 s.
     *
     * @throws IllegalArgumentException if a variable is missing or malformed; the message names the
     *     variable and its value (a phone number redacted, never the token)
     */
    public static TwilioLive fromEnv(Map<String, String> env) {
        requireNonNull(env, "env");
        LiveSettings settings = LiveSettings.fromEnv(env);
        return new TwilioLive(
                settings,
                TwilioHttpTransport.forChecks(settings.apiBaseUrl(), CONNECT_TIMEOUT, READ_TIMEOUT),
                new WebhookProbe(WebhookProbe.DEFAULT_TIMEOUT));
    }

    /**
     * Runs every check, in this order: {@code credentials}, {@code sender}, {@code webhook}, {@code
     * recent-errors}, {@code reachability}, then {@code whatsapp-sender} and {@code
     * whatsapp-webhook} when {@code TWILIO_WHATSAPP_NUMBER} is set. When Twilio refuses the
     * credentials (or cannot be reached), each check that needs Twilio is reported as {@code FAIL}
     * "not checked: …"; {@code reachability} runs all the same. A REST call that fails makes its
     * check {@code FAIL} with the call, Twilio's code and message; this method itself does not throw
     * for Twilio's answers.
     *
     * @return one {@link LiveCheck} per check, in order
     * @throws IllegalStateException if closed
     */
    public List<LiveCheck> doctor() {
        ensureOpen();
        Map<String, LiveCheck> checks = new LinkedHashMap<>();
        Optional<String> blocked = credentials(checks);
        if (blocked.isPresent()) {
            for (String name : twilioCheckNames()) {
                checks.put(name, LiveCheck.fail(name, blocked.get(), "fix the credentials check first"));
            }
            checks.put("reachability", reachability());
        } else {
            SmsSide sms = settings.usesService() ? serviceSender(checks) : numberSender(checks);
            checks.put("webhook", sms.webhook);
            checks.put("recent-errors", recentErrors(sms.numbers, sms.notChecked));
            checks.put("reachability", reachability());
            if (settings.whatsAppNumber() != null) {
                whatsApp(checks);
            }
        }
        List<String> order =
                new ArrayList<>(List.of("credentials", "sender", "webhook", "recent-errors", "reachability"));
        if (settings.whatsAppNumber() != null) {
            order.add("whatsapp-sender");
            order.add("whatsapp-webhook");
        }
        List<LiveCheck> result = order.stream().map(checks::get).toList();
        result.forEach(check -> log.debug("check {}: {}", check.name(), check.status()));
        return result;
    }

    /**
     * Points the inbound webhook at the configured URL with method POST: the number's {@code SmsUrl}
     * and {@code SmsMethod} ({@code TWILIO_PHONE_NUMBER}), or with a Messaging Service its {@code
     * InboundRequestUrl} and {@code InboundMethod}, or, when the service has {@code
     * UseInboundWebhookOnNumber}, its numbers' {@code SmsUrl} and {@code SmsMethod}; all at {@code
     * SMS_WEBHOOK_URL}. With {@code TWILIO_WHATSAPP_NUMBER} set and an {@code IncomingPhoneNumber} of
     * the account, that number's {@code SmsUrl} and {@code SmsMethod} at {@code WHATSAPP_WEBHOOK_URL}
     * too; a WhatsApp sender that is not one is left alone (the {@code whatsapp-webhook} check says
     * where to set it).
     *
     * <p>Idempotent: every field is reported, one {@link WebhookChange} each, and a field that
     * already has the right value is reported with {@code from} equal to {@code to} and {@code
     * applied} false. An update carries only the fields that differ; nothing else is touched, not
     * even an {@code SmsApplicationSid} that overrides the number's {@code SmsUrl} (that is refused,
     * before any update).
     *
     * @param dryRun if true, no update is sent: the result says what would change ({@code from}
     *     differing from {@code to}, {@code applied} false)
     * @return the fields, in the order they were looked at
     * @throws PermanentChannelException if Twilio refused a call (the message names the call,
     *     Twilio's error code and message), or the number is not one of the account's
     * @throws RetriableChannelException if Twilio could not be reached or failed (HTTP 429, 5xx);
     *     the updates sent before it stay
     * @throws IllegalStateException if a number's {@code SmsApplicationSid} overrides its {@code
     *     SmsUrl}, if SMS and WhatsApp share a number but not a webhook URL, or if closed
     */
    public List<WebhookChange> configureWebhooks(boolean dryRun) {
        return configureWebhooks(dryRun, true, settings.whatsAppNumber() != null);
    }

    /**
     * {@link #configureWebhooks(boolean)} for the SMS sender only, the WhatsApp number only, or both:
     * a sender not asked for is not touched.
     */
    public List<WebhookChange> configureWebhooks(boolean dryRun, boolean sms, boolean whatsApp) {
        ensureOpen();
        List<Plan> plans = new ArrayList<>();
        try {
            if (!sms) {
                // Nothing of the SMS sender's is changed.
            } else if (settings.usesService()) {
                String sid = settings.messagingServiceSid();
                Service service = call(
                        "GET /v1/Services/" + sid, () -> Service.fetcher(sid).fetch(rest));
                if (Boolean.TRUE.equals(service.getUseInboundWebhookOnNumber())) {
                    for (Address number : numbersOfService()) {
                        plans.add(numberPlan(
                                requireNumber(number, "TWILIO_PHONE_NUMBER"), settings.smsWebhookUrl(), "SMS"));
                    }
                } else {
                    plans.add(servicePlan(service, settings.smsWebhookUrl()));
                }
            } else {
                plans.add(numberPlan(
                        requireNumber(settings.number(), "TWILIO_PHONE_NUMBER"), settings.smsWebhookUrl(), "SMS"));
            }
            if (whatsApp && settings.whatsAppNumber() != null) {
                Optional<IncomingPhoneNumber> whatsAppNumber = lookUp(settings.whatsAppNumber());
                if (whatsAppNumber.isEmpty()) {
                    log.info(
                            "the WhatsApp sender {} is not an IncomingPhoneNumber of the account: its webhook is"
                                    + " set in the Twilio console, not here",
                            settings.whatsAppNumber());
                } else {
                    Plan plan = numberPlan(whatsAppNumber.get(), settings.whatsAppWebhookUrl(), "WhatsApp");
                    Optional<Plan> same =
                            plans.stream().filter(p -> p.sid.equals(plan.sid)).findFirst();
                    if (same.isEmpty()) {
                        plans.add(plan);
                    } else if (!settings.whatsAppWebhookUrl().equals(settings.smsWebhookUrl())) {
                        throw new IllegalStateException(plan.target + " is both the SMS and the WhatsApp number,"
                                + " and one number has one SmsUrl: set SMS_WEBHOOK_URL and WHATSAPP_WEBHOOK_URL to"
                                + " the same URL, or use another number for one of them");
                    }
                }
            }
            List<WebhookChange> changes = new ArrayList<>();
            for (Plan plan : plans) {
                boolean apply = !dryRun && plan.fields.values().stream().anyMatch(f -> !f.from.equals(f.to));
                if (apply) {
                    plan.apply.run();
                }
                plan.fields.forEach((field, value) -> {
                    boolean applied = apply && !value.from.equals(value.to);
                    if (applied) {
                        // The caller reports the change (once): the gateway's log, the command's output.
                        log.debug("{} of {} set to {} (was {})", field, plan.target, value.to, shown(value.from));
                    }
                    changes.add(new WebhookChange(plan.target, field, value.from, value.to, applied));
                });
            }
            return List.copyOf(changes);
        } catch (CallFailure failure) {
            throw failure.toChannelException();
        }
    }

    /** Releases the HTTP client. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.debug("closing the HTTP client failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "TwilioLive[" + settings + "]";
    }

    // ---- credentials ----

    /** Adds the credentials check; the reason the Twilio checks cannot run, if they cannot. */
    private Optional<String> credentials(Map<String, LiveCheck> checks) {
        String sid = settings.credentials().accountSid();
        Account account;
        try {
            account = call("GET /2010-04-01/Accounts/" + sid + ".json", () -> Account.fetcher(sid)
                    .fetch(rest));
        } catch (CallFailure failure) {
            if (failure.refused()) {
                checks.put(
                        "credentials",
                        LiveCheck.fail(
                                "credentials",
                                "the Account SID or Auth Token is wrong: Twilio refused them (error "
                                        + failure.codeOr(20003) + ", HTTP " + failure.status + ")",
                                "copy TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN from the Twilio console (Account >"
                                        + " API keys & tokens); a token changes when it is rotated"));
                return Optional.of(REFUSED);
            }
            checks.put("credentials", LiveCheck.fail("credentials", failure.describe(), failure.fix()));
            return Optional.of("not checked: the account could not be read");
        }
        String owner = account.getOwnerAccountSid();
        String subaccount = owner != null && !owner.isEmpty() && !owner.equals(sid) ? ", a subaccount of " + owner : "";
        Account.Status status = account.getStatus();
        if (status == Account.Status.SUSPENDED || status == Account.Status.CLOSED) {
            String word = status.toString();
            checks.put(
                    "credentials",
                    LiveCheck.fail(
                            "credentials",
                            "the account " + sid + subaccount + " is " + word + ": Twilio neither sends nor delivers"
                                    + " its messages",
                            status == Account.Status.SUSPENDED
                                    ? "see why in the Twilio console (billing, compliance) and have it reactivated"
                                    : "use the credentials of an active account"));
            return Optional.empty();
        }
        if (account.getType() == Account.Type.TRIAL) {
            checks.put(
                    "credentials",
                    LiveCheck.warn(
                            "credentials",
                            "the account " + sid + subaccount + " is a trial account: it can text only verified"
                                    + " numbers, and Twilio prefixes every message with a trial notice",
                            "upgrade the account in the Twilio console before going live, or verify each"
                                    + " recipient's number"));
            return Optional.empty();
        }
        String active = status == null ? "of unknown status" : status.toString();
        checks.put(
                "credentials",
                LiveCheck.ok(
                        "credentials",
                        "the credentials are accepted; the account " + sid + subaccount + " is " + active
                                + (account.getType() == null ? "" : " (" + account.getType() + ")")));
        return Optional.empty();
    }

    private List<String> twilioCheckNames() {
        List<String> names = new ArrayList<>(List.of("sender", "webhook", "recent-errors"));
        if (settings.whatsAppNumber() != null) {
            names.add("whatsapp-sender");
            names.add("whatsapp-webhook");
        }
        return names;
    }

    // ---- sender and webhook ----

    /** What the sender check found that the webhook and recent-errors checks build on. */
    private static final class SmsSide {
        List<Address> numbers = List.of();
        LiveCheck webhook;
        String notChecked;
    }

    private SmsSide numberSender(Map<String, LiveCheck> checks) {
        SmsSide side = new SmsSide();
        Address number = settings.number();
        side.numbers = List.of(number);
        Optional<IncomingPhoneNumber> found;
        try {
            found = lookUp(number);
        } catch (CallFailure failure) {
            checks.put("sender", LiveCheck.fail("sender", failure.describe(), failure.fix()));
            side.notChecked = "not checked: the number could not be looked up";
            side.webhook = LiveCheck.fail("webhook", side.notChecked, "fix the sender check first");
            return side;
        }
        if (found.isEmpty()) {
            checks.put("sender", notInAccount("sender", number, "TWILIO_PHONE_NUMBER"));
            side.webhook = LiveCheck.fail(
                    "webhook",
                    "not checked: " + number + " is not a number of the account",
                    "fix the sender check first");
            side.notChecked = "not checked: " + number + " is not a number of the account";
            return side;
        }
        IncomingPhoneNumber resource = found.get();
        checks.put("sender", capabilities(resource, number));
        side.webhook = numberWebhook("webhook", resource, settings.smsWebhookUrl(), "SMS_WEBHOOK_URL");
        return side;
    }

    private LiveCheck capabilities(IncomingPhoneNumber resource, Address number) {
        PhoneNumberCapabilities capabilities = resource.getCapabilities();
        String what = number + " (" + resource.getSid() + ") is a number of the account";
        if (capabilities == null || !capabilities.getSms()) {
            return LiveCheck.fail(
                    "sender",
                    what + " but cannot send or receive SMS",
                    "use an SMS-capable number (Console > Phone Numbers > Buy a number, filter on SMS)");
        }
        if (!capabilities.getMms()) {
            return LiveCheck.warn(
                    "sender",
                    what + " and can send SMS, but not MMS: pictures in and out will fail",
                    "use an MMS-capable number if the agent sends or receives media");
        }
        return LiveCheck.ok("sender", what + " and can send SMS and MMS");
    }

    private LiveCheck notInAccount(String name, Address number, String variable) {
        return LiveCheck.fail(
                name,
                number + " is not a number of the account "
                        + settings.credentials().accountSid(),
                "check " + variable + " (international form, +country code), and that TWILIO_ACCOUNT_SID is the"
                        + " account (or subaccount) that owns the number");
    }

    private SmsSide serviceSender(Map<String, LiveCheck> checks) {
        SmsSide side = new SmsSide();
        String sid = settings.messagingServiceSid();
        Service service;
        List<Address> numbers;
        try {
            service = call("GET /v1/Services/" + sid, () -> Service.fetcher(sid).fetch(rest));
            numbers = serviceNumbers(sid);
        } catch (CallFailure failure) {
            LiveCheck check = failure.notFound()
                    ? LiveCheck.fail(
                            "sender",
                            "the Messaging Service " + sid + " does not exist in the account "
                                    + settings.credentials().accountSid(),
                            "check TWILIO_MESSAGING_SERVICE_SID (Console > Messaging > Services), and that"
                                    + " TWILIO_ACCOUNT_SID is the account that owns it")
                    : LiveCheck.fail("sender", failure.describe(), failure.fix());
            checks.put("sender", check);
            side.notChecked = "not checked: the Messaging Service could not be read";
            side.webhook = LiveCheck.fail("webhook", side.notChecked, "fix the sender check first");
            return side;
        }
        Address configured = settings.number();
        if (numbers.isEmpty()) {
            checks.put(
                    "sender",
                    LiveCheck.fail(
                            "sender",
                            "the Messaging Service " + sid + " has no phone numbers in its sender pool: nothing can"
                                    + " text it, and it cannot send",
                            "add the number to the service's Sender Pool (Console > Messaging > Services > " + sid
                                    + " > Sender Pool)"));
        } else if (configured != null && !numbers.contains(configured)) {
            checks.put(
                    "sender",
                    LiveCheck.warn(
                            "sender",
                            "the Messaging Service " + sid + " has " + numbers.size() + " number(s), but not "
                                    + configured + " (TWILIO_PHONE_NUMBER): messages go out from the pool's numbers",
                            "add " + configured + " to the service's Sender Pool, or unset TWILIO_PHONE_NUMBER"));
        } else {
            checks.put(
                    "sender",
                    LiveCheck.ok(
                            "sender",
                            "the Messaging Service " + sid + " exists and has " + numbers.size()
                                    + " number(s) in its sender pool: " + shownNumbers(numbers)));
        }
        side.numbers = configured != null
                ? List.of(configured)
                : numbers.stream().limit(SERVICE_NUMBERS_CHECKED).toList();
        if (Boolean.TRUE.equals(service.getUseInboundWebhookOnNumber())) {
            side.webhook = deferredToNumbers(service, side.numbers);
        } else {
            side.webhook = evaluate(
                    "webhook",
                    "the Messaging Service " + sid,
                    "InboundRequestUrl",
                    text(service.getInboundRequestUrl()),
                    "InboundMethod",
                    service.getInboundMethod(),
                    "",
                    settings.smsWebhookUrl(),
                    "SMS_WEBHOOK_URL");
        }
        return side;
    }

    private LiveCheck deferredToNumbers(Service service, List<Address> numbers) {
        String prefix = "UseInboundWebhookOnNumber is true on the Messaging Service " + service.getSid()
                + ", so each number's SmsUrl counts, not the service's InboundRequestUrl; ";
        if (numbers.isEmpty()) {
            return LiveCheck.fail("webhook", prefix + "and the service has no numbers", "add a number to the service");
        }
        List<String> fine = new ArrayList<>();
        for (Address number : numbers) {
            LiveCheck check;
            try {
                Optional<IncomingPhoneNumber> found = lookUp(number);
                check = found.isEmpty()
                        ? notInAccount("webhook", number, "TWILIO_PHONE_NUMBER")
                        : numberWebhook("webhook", found.get(), settings.smsWebhookUrl(), "SMS_WEBHOOK_URL");
            } catch (CallFailure failure) {
                check = LiveCheck.fail("webhook", failure.describe(), failure.fix());
            }
            if (check.status() != LiveCheck.Status.OK) {
                return new LiveCheck("webhook", check.status(), prefix + check.detail(), check.fix());
            }
            fine.add(number.redacted());
        }
        return LiveCheck.ok("webhook", prefix + "SmsUrl is SMS_WEBHOOK_URL with POST on " + String.join(", ", fine));
    }

    private LiveCheck numberWebhook(String name, IncomingPhoneNumber resource, String expected, String variable) {
        return evaluate(
                name,
                target(resource),
                "SmsUrl",
                text(resource.getSmsUrl()),
                "SmsMethod",
                resource.getSmsMethod(),
                Objects.requireNonNullElse(resource.getSmsApplicationSid(), ""),
                expected,
                variable);
    }

    /** The diagnosis of one inbound webhook: URL, method and an application that overrides both. */
    private static LiveCheck evaluate(
            String name,
            String target,
            String urlField,
            String url,
            String methodField,
            HttpMethod method,
            String applicationSid,
            String expected,
            String variable) {
        if (!applicationSid.isEmpty()) {
            return LiveCheck.fail(
                    name,
                    "application_override: " + target + " has SmsApplicationSid " + applicationSid
                            + ", so Twilio posts incoming messages to that TwiML application's SmsUrl and ignores"
                            + " the number's",
                    "clear SmsApplicationSid or point the application's SmsUrl at " + expected + " with HTTP POST"
                            + " (to clear it: Console > Phone Numbers > the number > Messaging, configure with a"
                            + " webhook)");
        }
        String setIt = "set " + urlField + " of " + target + " to " + expected + " with " + methodField
                + " POST (`webhooks configure`, or TwilioLive.configureWebhooks, does it)";
        if (url.isEmpty()) {
            return LiveCheck.fail(
                    name,
                    "not_set: " + target + " has no " + urlField + ", so Twilio does not pass incoming messages on",
                    setIt);
        }
        String methodNote =
                method != null && method != HttpMethod.POST ? "; " + methodField + " is " + method + " as well" : "";
        if (!url.equals(expected)) {
            return LiveCheck.fail(
                    name,
                    "url_mismatch: " + urlField + " of " + target + " is " + url + " but " + variable + " is "
                            + expected + mismatchHint(url, expected)
                            + "; signatures are checked against " + variable + " byte for byte" + methodNote,
                    setIt + ", or " + variable + " to the URL Twilio calls if that one is right");
        }
        if (method != null && method != HttpMethod.POST) {
            return LiveCheck.fail(
                    name,
                    "wrong_http_method: " + methodField + " of " + target + " is " + method
                            + "; the webhook accepts POST only",
                    "set " + methodField + " of " + target + " to POST (`webhooks configure`, or"
                            + " TwilioLive.configureWebhooks, does it)");
        }
        return LiveCheck.ok(name, urlField + " of " + target + " is " + variable + " (" + expected + "), with POST");
    }

    private static String mismatchHint(String url, String expected) {
        String a = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        String b = expected.endsWith("/") ? expected.substring(0, expected.length() - 1) : expected;
        if (a.equals(b)) {
            return " (they differ in a trailing slash)";
        }
        if (a.replaceFirst("^https?://", "").equals(b.replaceFirst("^https?://", ""))) {
            return " (they differ in the scheme, http or https)";
        }
        return "";
    }

    // ---- recent errors ----

    private LiveCheck recentErrors(List<Address> numbers, String notChecked) {
        String name = "recent-errors";
        if (notChecked != null) {
            return LiveCheck.fail(name, notChecked, "fix the sender check first");
        }
        Map<Integer, Integer> counts = new TreeMap<>();
        int listed = 0;
        int failed = 0;
        for (Address number : numbers) {
            Page<Message> page;
            try {
                page = call(
                        "GET /2010-04-01/Accounts/" + settings.credentials().accountSid() + "/Messages.json?To="
                                + number + "&PageSize=" + RECENT_MESSAGES,
                        () -> Message.reader(settings.credentials().accountSid())
                                .setTo(new PhoneNumber(number.value()))
                                .setPageSize(RECENT_MESSAGES)
                                .firstPage(rest));
            } catch (CallFailure failure) {
                return LiveCheck.fail(name, failure.describe(), failure.fix());
            }
            for (Message message : page.getRecords()) {
                listed++;
                Integer code = message.getErrorCode();
                if (code != null && code != 0) {
                    failed++;
                    counts.merge(code, 1, Integer::sum);
                }
            }
        }
        if (numbers.isEmpty()) {
            return LiveCheck.warn(
                    name, "not checked: the sender has no numbers", "add a number to the Messaging Service");
        }
        String to = shownNumbers(numbers);
        if (counts.isEmpty()) {
            return LiveCheck.ok(name, "none of the last " + listed + " message(s) to " + to + " carries an error code");
        }
        List<String> meanings = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        counts.forEach((code, count) -> {
            String[] advice = ERROR_ADVICE.get(code);
            meanings.add(code + " ×" + count + " (" + (advice == null ? "see the error's page" : advice[0]) + ")");
            fixes.add(code + ": " + (advice == null ? "see https://www.twilio.com/docs/errors/" + code : advice[1]));
        });
        return LiveCheck.warn(
                name,
                failed + " of the last " + listed + " message(s) to " + to + " carry an error: "
                        + String.join(", ", meanings),
                String.join("; ", fixes));
    }

    // ---- reachability ----

    private LiveCheck reachability() {
        String name = "reachability";
        String url = settings.smsWebhookUrl();
        URI uri = URI.create(url);
        String seconds = probe.timeout().toMillis() % 1000 == 0
                ? probe.timeout().toSeconds() + " s"
                : probe.timeout().toMillis() + " ms";
        WebhookProbe.Outcome outcome = probe.get(uri);
        LiveCheck check;
        if (outcome instanceof WebhookProbe.Answered answered) {
            int status = answered.status();
            if (status == 405) {
                check = LiveCheck.ok(name, url + " answers a GET with 405, as the webhook listener does: it is up");
            } else if (status == 404) {
                // Twilio's POST gets the same 404, and every message fails with 11200.
                check = LiveCheck.fail(
                        name,
                        url + " answers, but with 404: something listens there, not at this path",
                        "check the path of SMS_WEBHOOK_URL against the webhook path the application listens on"
                                + " (the sample gateway's is /webhooks/twilio)");
            } else if (status >= 500) {
                check = LiveCheck.fail(
                        name,
                        url + " answers a GET with HTTP " + status
                                + ": a tunnel or proxy answers, but not the application",
                        "is the application running behind the tunnel or proxy?");
            } else {
                check = LiveCheck.warn(
                        name,
                        url + " answers a GET with HTTP " + status + ", where the webhook listener answers 405:"
                                + " something else may be answering",
                        "check that SMS_WEBHOOK_URL leads to the application (a tunnel's own page, a login wall,"
                                + " a redirect?)");
            }
        } else if (outcome instanceof WebhookProbe.Refused) {
            check = LiveCheck.fail(
                    name,
                    "the connection to " + url + " was refused",
                    "is the application running? Is the tunnel running?");
        } else if (outcome instanceof WebhookProbe.TimedOut) {
            check = LiveCheck.fail(
                    name,
                    "no answer from " + url + " within " + seconds,
                    "is the tunnel running? Is a firewall in the way?");
        } else if (outcome instanceof WebhookProbe.UnknownHost) {
            check = LiveCheck.fail(
                    name,
                    "the host of " + url + " does not resolve",
                    "check SMS_WEBHOOK_URL; a tunnel's URL may have changed when it restarted");
        } else if (outcome instanceof WebhookProbe.TlsFailed tls) {
            check = LiveCheck.fail(
                    name,
                    "the TLS handshake with " + url + " failed (" + tls.reason() + ")",
                    "Twilio needs a certificate from a public authority on an https webhook");
        } else {
            String reason = outcome instanceof WebhookProbe.OtherFailure other ? other.reason() : "unknown";
            check = LiveCheck.fail(name, "the GET to " + url + " failed (" + reason + ")", "is the tunnel running?");
        }
        if (check.status() == LiveCheck.Status.OK && settings.apiBaseUrl() == null && isLocal(uri)) {
            return LiveCheck.warn(
                    name,
                    url + " answers here, but it is a local address that Twilio cannot call",
                    "set SMS_WEBHOOK_URL to a public URL (a tunnel's, say) that leads to the application");
        }
        return check;
    }

    // Literal forms and local names only: a host name is not resolved just to decide on a warning.
    private static boolean isLocal(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-f:.]+\\]")) {
            return false;
        }
        try {
            InetAddress address = InetAddress.getByName(host);
            return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ---- WhatsApp ----

    private void whatsApp(Map<String, LiveCheck> checks) {
        Address number = settings.whatsAppNumber();
        Optional<IncomingPhoneNumber> found;
        try {
            found = lookUp(number);
        } catch (CallFailure failure) {
            checks.put("whatsapp-sender", LiveCheck.fail("whatsapp-sender", failure.describe(), failure.fix()));
            checks.put(
                    "whatsapp-webhook",
                    LiveCheck.fail(
                            "whatsapp-webhook",
                            "not checked: the WhatsApp number could not be looked up",
                            "fix the whatsapp-sender check first"));
            return;
        }
        if (found.isEmpty()) {
            boolean sandbox = number.value().equals(WHATSAPP_SANDBOX_NUMBER);
            String hook = "set 'When a message comes in' to " + settings.whatsAppWebhookUrl() + " with HTTP POST";
            checks.put(
                    "whatsapp-sender",
                    LiveCheck.warn(
                            "whatsapp-sender",
                            sandbox
                                    ? number + " is Twilio's WhatsApp sandbox: only phones that joined it can text,"
                                            + " and it is not for production"
                                    : number + " is not an IncomingPhoneNumber of the account: a sender registered"
                                            + " through WhatsApp's Senders API, which this check cannot see",
                            sandbox
                                    ? "register a WhatsApp sender of your own before going live"
                                    : "confirm the sender is online in the console (Messaging > Senders > WhatsApp"
                                            + " senders); check TWILIO_WHATSAPP_NUMBER"));
            checks.put(
                    "whatsapp-webhook",
                    LiveCheck.warn(
                            "whatsapp-webhook",
                            "not checked: the webhook of " + number + " is set in the console, out of this API's"
                                    + " reach",
                            sandbox
                                    ? "in the console's WhatsApp sandbox settings, " + hook
                                    : "in the console (Messaging > Senders > WhatsApp senders > the sender), " + hook));
            return;
        }
        IncomingPhoneNumber resource = found.get();
        checks.put(
                "whatsapp-sender",
                LiveCheck.ok(
                        "whatsapp-sender",
                        number + " (" + resource.getSid() + ") is a number of the account; WhatsApp must be"
                                + " enabled on it in the console"));
        LiveCheck webhook =
                numberWebhook("whatsapp-webhook", resource, settings.whatsAppWebhookUrl(), "WHATSAPP_WEBHOOK_URL");
        if (webhook.status() != LiveCheck.Status.OK
                && number.equals(settings.number())
                && !settings.whatsAppWebhookUrl().equals(settings.smsWebhookUrl())) {
            webhook = new LiveCheck(
                    webhook.name(),
                    webhook.status(),
                    webhook.detail(),
                    webhook.fix() + "; SMS and WhatsApp share this number and its one SmsUrl, so"
                            + " SMS_WEBHOOK_URL and WHATSAPP_WEBHOOK_URL must be the same URL");
        }
        checks.put("whatsapp-webhook", webhook);
    }

    // ---- configure ----

    /** One resource's fields as they are and should be, and the update that makes them so. */
    private static final class Plan {
        final String sid;
        final String target;
        final Map<String, Value> fields = new LinkedHashMap<>();
        Runnable apply;

        Plan(String sid, String target) {
            this.sid = sid;
            this.target = target;
        }
    }

    private record Value(String from, String to) {}

    private Plan numberPlan(IncomingPhoneNumber resource, String url, String channel) {
        String target = target(resource);
        String application = Objects.requireNonNullElse(resource.getSmsApplicationSid(), "");
        if (!application.isEmpty()) {
            throw new IllegalStateException(target + " has SmsApplicationSid " + application
                    + ", which overrides its SmsUrl, so setting the " + channel + " webhook there would change"
                    + " nothing: clear SmsApplicationSid in the console, or point the application's SmsUrl at "
                    + url + " with POST");
        }
        Plan plan = new Plan(resource.getSid(), target);
        Value smsUrl = new Value(text(resource.getSmsUrl()), url);
        Value smsMethod = new Value(
                resource.getSmsMethod() == null ? "" : resource.getSmsMethod().toString(), "POST");
        plan.fields.put("SmsUrl", smsUrl);
        plan.fields.put("SmsMethod", smsMethod);
        String accountSid = settings.credentials().accountSid();
        plan.apply = () -> {
            IncomingPhoneNumberUpdater updater = IncomingPhoneNumber.updater(accountSid, resource.getSid());
            if (!smsUrl.from.equals(smsUrl.to)) {
                updater.setSmsUrl(URI.create(url));
            }
            if (!smsMethod.from.equals(smsMethod.to)) {
                updater.setSmsMethod(HttpMethod.POST);
            }
            call(
                    "POST /2010-04-01/Accounts/" + accountSid + "/IncomingPhoneNumbers/" + resource.getSid() + ".json",
                    () -> updater.update(rest));
        };
        return plan;
    }

    private Plan servicePlan(Service service, String url) {
        String sid = service.getSid() == null ? settings.messagingServiceSid() : service.getSid();
        Plan plan = new Plan(sid, "Messaging Service " + sid);
        Value inboundUrl = new Value(text(service.getInboundRequestUrl()), url);
        Value inboundMethod = new Value(
                service.getInboundMethod() == null
                        ? ""
                        : service.getInboundMethod().toString(),
                "POST");
        plan.fields.put("InboundRequestUrl", inboundUrl);
        plan.fields.put("InboundMethod", inboundMethod);
        plan.apply = () -> {
            ServiceUpdater updater = Service.updater(sid);
            if (!inboundUrl.from.equals(inboundUrl.to)) {
                updater.setInboundRequestUrl(URI.create(url));
            }
            if (!inboundMethod.from.equals(inboundMethod.to)) {
                updater.setInboundMethod(HttpMethod.POST);
            }
            call("POST /v1/Services/" + sid, () -> updater.update(rest));
        };
        return plan;
    }

    /** The numbers whose SmsUrl counts for a service that defers to them. */
    private List<Address> numbersOfService() {
        if (settings.number() != null) {
            return List.of(settings.number());
        }
        List<Address> numbers = serviceNumbers(settings.messagingServiceSid());
        if (numbers.isEmpty()) {
            throw new PermanentChannelException(
                    "the Messaging Service " + settings.messagingServiceSid() + " defers to its numbers' webhooks"
                            + " (UseInboundWebhookOnNumber) but has no numbers: add one to its Sender Pool",
                    null,
                    null,
                    PermanentChannelException.Reason.CONFIGURATION);
        }
        return numbers;
    }

    private IncomingPhoneNumber requireNumber(Address number, String variable) {
        return lookUp(number)
                .orElseThrow(() -> new PermanentChannelException(
                        number + " (" + variable + ") is not a number of the account "
                                + settings.credentials().accountSid() + ": nothing was changed",
                        null,
                        null,
                        PermanentChannelException.Reason.CONFIGURATION));
    }

    // ---- REST ----

    /** The account's number {@code number}, if it has it: {@code GET IncomingPhoneNumbers.json?PhoneNumber=…}. */
    private Optional<IncomingPhoneNumber> lookUp(Address number) {
        String accountSid = settings.credentials().accountSid();
        Page<IncomingPhoneNumber> page = call(
                "GET /2010-04-01/Accounts/" + accountSid + "/IncomingPhoneNumbers.json?PhoneNumber=" + number,
                () -> IncomingPhoneNumber.reader(accountSid)
                        .setPhoneNumber(new PhoneNumber(number.value()))
                        .firstPage(rest));
        // Twilio matches the filter as a pattern: only the exact number counts.
        return page.getRecords().stream()
                .filter(n -> n.getPhoneNumber() != null
                        && number.value().equals(n.getPhoneNumber().getEndpoint()))
                .findFirst();
    }

    /** The phone numbers in a Messaging Service's sender pool: {@code GET /v1/Services/{Sid}/PhoneNumbers}. */
    private List<Address> serviceNumbers(String serviceSid) {
        Page<com.twilio.rest.messaging.v1.service.PhoneNumber> page = call(
                "GET /v1/Services/" + serviceSid + "/PhoneNumbers",
                () -> com.twilio.rest.messaging.v1.service.PhoneNumber.reader(serviceSid)
                        .firstPage(rest));
        return page.getRecords().stream()
                .map(com.twilio.rest.messaging.v1.service.PhoneNumber::getPhoneNumber)
                .filter(Objects::nonNull)
                .map(p -> Address.of(p.getEndpoint()))
                .toList();
    }

    private <T> T call(String what, Supplier<T> call) {
        ensureOpen();
        log.debug("Twilio: {}", what);
        try {
            return call.get();
        } catch (ApiException e) {
            Integer status = e.getStatusCode();
            throw new CallFailure(what, e.getCode(), status == null ? -1 : status, redactNumbers(e.getMessage()), e);
        } catch (ApiConnectionException e) {
            throw new CallFailure(what, null, 0, redactNumbers(e.getMessage()), e);
        } catch (TwilioException e) {
            // Only after a 2xx: the SDK could not read the answer.
            throw new CallFailure(what, null, 200, "the answer could not be read: " + redactNumbers(e.getMessage()), e);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this TwilioLive is closed");
        }
    }

    /** A REST call that did not succeed; {@code status} 0 when there was no answer. */
    private static final class CallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final String what;
        final Integer code;
        final int status;
        final String twilioMessage;

        CallFailure(String what, Integer code, int status, String twilioMessage, Throwable cause) {
            super(what, cause);
            this.what = what;
            this.code = code;
            this.status = status;
            this.twilioMessage = twilioMessage;
        }

        boolean refused() {
            return status == 401 || Integer.valueOf(20003).equals(code);
        }

        boolean notFound() {
            return status == 404 || Integer.valueOf(20404).equals(code);
        }

        int codeOr(int fallback) {
            return code == null ? fallback : code;
        }

        String describe() {
            if (status == 0) {
                return what + " failed: no answer from Twilio (" + twilioMessage + ")";
            }
            return what + " failed: Twilio error " + (code == null ? "(none)" : code) + " (HTTP " + status + "): "
                    + twilioMessage;
        }

        String fix() {
            if (status == 0) {
                return "check the network, and TWILIO_API_BASE_URL if set";
            }
            if (refused()) {
                return "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN";
            }
            if (status == 403) {
                return "the credentials may not use this resource: use the account's own credentials, not a"
                        + " restricted API key";
            }
            if (notFound()) {
                return "check the SIDs, and TWILIO_API_BASE_URL if set";
            }
            return "see https://www.twilio.com/docs/errors/" + (code == null ? "" : code);
        }

        ChannelException toChannelException() {
            String providerCode = code == null ? null : code.toString();
            boolean post = what.startsWith("POST");
            if (status == 0 || status == 429 || status >= 500) {
                return new RetriableChannelException(describe(), providerCode, null, post && status != 429, this);
            }
            PermanentChannelException.Reason reason = refused() || notFound() || status == 403
                    ? PermanentChannelException.Reason.CONFIGURATION
                    : PermanentChannelException.Reason.OTHER;
            return new PermanentChannelException(describe(), providerCode, this, reason);
        }
    }

    // ---- small helpers ----

    private static String target(IncomingPhoneNumber resource) {
        String number = resource.getPhoneNumber() == null
                ? "?"
                : Address.redact(resource.getPhoneNumber().getEndpoint());
        return "IncomingPhoneNumber " + resource.getSid() + " (" + number + ")";
    }

    private static String text(URI uri) {
        return uri == null ? "" : uri.toString();
    }

    private static String shown(String value) {
        return value.isEmpty() ? "not set" : value;
    }

    private static String shownNumbers(List<Address> numbers) {
        return String.join(", ", numbers.stream().map(Address::redacted).toList());
    }

    /** Twilio's messages may quote a phone number: it is redacted. */
    static String redactNumbers(String message) {
        if (message == null) {
            return "no message";
        }
        Matcher matcher = PHONE_NUMBER.matcher(message);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(Address.redact(matcher.group())));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static Map.Entry<Integer, String[]> advice(int code, String meaning, String fix) {
        return Map.entry(code, new String[] {meaning, fix});
    }
}
