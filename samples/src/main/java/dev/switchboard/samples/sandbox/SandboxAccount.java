package dev.switchboard.samples.sandbox;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The account as Twilio's REST API shows it, for {@link TwilioSandbox}: the account itself, its
 * numbers ({@code IncomingPhoneNumbers}) with their messaging webhook, and its Messaging Services with
 * their sender pools, each in the shape of Twilio's OpenAPI description; and the updates of a number's
 * or a service's inbound webhook. Thread-safe.
 */
final class SandboxAccount {

    static final String API_VERSION = "2010-04-01";

    private static final Pattern ACCOUNT = Pattern.compile("/2010-04-01/Accounts/([^/]+)\\.json");
    private static final Pattern NUMBERS = Pattern.compile("/2010-04-01/Accounts/([^/]+)/IncomingPhoneNumbers\\.json");
    private static final Pattern NUMBER =
            Pattern.compile("/2010-04-01/Accounts/([^/]+)/IncomingPhoneNumbers/([^/]+)\\.json");
    private static final Pattern SERVICE = Pattern.compile("/v1/Services/([^/]+)");
    private static final Pattern SERVICE_NUMBERS = Pattern.compile("/v1/Services/([^/]+)/PhoneNumbers");
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss Z", Locale.US)
            .withZone(ZoneOffset.UTC);
    private static final String MESSAGING = "https://messaging.twilio.com";

    /** An answer to a REST call: a status and the JSON value to write. */
    record Reply(int status, Object body) {}

    /** One number of the account, as {@code IncomingPhoneNumbers} lists it. */
    static final class NumberState {
        final String sid;
        final String phone;
        volatile String smsUrl = "";
        volatile String smsMethod = "POST";
        volatile String smsApplicationSid = "";
        volatile boolean sms = true;
        volatile boolean mms = true;
        volatile boolean released;

        NumberState(String sid, String phone) {
            this.sid = sid;
            this.phone = phone;
        }
    }

    private static final class ServiceState {
        final String sid;
        final Set<String> numbers;
        volatile String inboundRequestUrl;
        volatile String inboundMethod = "POST";
        volatile boolean useInboundWebhookOnNumber;

        ServiceState(String sid, Set<String> numbers) {
            this.sid = sid;
            this.numbers = numbers;
        }
    }

    private final String accountSid;
    private final Clock clock;
    private final SecureRandom random;
    private final Instant created;
    private final Map<String, NumberState> numbers = new LinkedHashMap<>();
    private final Map<String, ServiceState> services = new ConcurrentHashMap<>();
    private final List<SandboxUpdate> updates = new CopyOnWriteArrayList<>();
    /** Told the number and its new {@code SmsUrl} after a REST update, so that delivery follows it. */
    private final BiConsumer<String, String> smsUrlChanged;

    private volatile boolean refuseCredentials;
    private volatile String status = "active";
    private volatile String type = "Full";

    /** @param phones the account's numbers in E.164, without a channel prefix */
    SandboxAccount(
            String accountSid,
            Set<String> phones,
            Clock clock,
            SecureRandom random,
            BiConsumer<String, String> smsUrlChanged) {
        this.accountSid = accountSid;
        this.clock = clock;
        this.random = random;
        this.created = clock.instant();
        this.smsUrlChanged = smsUrlChanged;
        phones.stream().sorted().forEach(phone -> numbers.put(phone, new NumberState(newSid("PN"), phone)));
    }

    // ---- what tests set ----

    void refuseCredentials(boolean refuse) {
        this.refuseCredentials = refuse;
    }

    boolean refusesCredentials() {
        return refuseCredentials;
    }

    void status(String status) {
        if (!Set.of("active", "suspended", "closed").contains(status)) {
            throw new IllegalArgumentException("status must be active, suspended or closed: " + status);
        }
        this.status = status;
    }

    void type(String type) {
        if (!Set.of("Trial", "Full").contains(type)) {
            throw new IllegalArgumentException("type must be Trial or Full: " + type);
        }
        this.type = type;
    }

    /** @throws IllegalArgumentException if the account has no such number */
    NumberState number(String phone) {
        NumberState state = numbers.get(phone);
        if (state == null) {
            throw new IllegalArgumentException("the sandbox has no number " + TwilioSandbox.redact(phone));
        }
        return state;
    }

    boolean released(String phone) {
        NumberState state = numbers.get(phone);
        return state != null && state.released;
    }

    String addService(Set<String> phones, String inboundRequestUrl, boolean useInboundWebhookOnNumber) {
        Set<String> pool = new LinkedHashSet<>();
        for (String phone : phones) {
            pool.add(number(phone).phone);
        }
        ServiceState service = new ServiceState(newSid("MG"), Set.copyOf(pool));
        service.inboundRequestUrl = inboundRequestUrl;
        service.useInboundWebhookOnNumber = useInboundWebhookOnNumber;
        services.put(service.sid, service);
        return service.sid;
    }

    List<SandboxUpdate> updates() {
        return List.copyOf(updates);
    }

    // ---- REST ----

    /** The account SID a path names: its own for the Messaging API, which names none; empty if not a route here. */
    Optional<String> pathAccount(String path) {
        for (Pattern pattern : List.of(ACCOUNT, NUMBERS, NUMBER)) {
            Matcher m = pattern.matcher(path);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        if (SERVICE.matcher(path).matches() || SERVICE_NUMBERS.matcher(path).matches()) {
            return Optional.of(accountSid);
        }
        return Optional.empty();
    }

    /** Answers an authorised request to one of {@link #pathAccount}'s routes. */
    Reply handle(String method, String path, Map<String, List<String>> query, Map<String, List<String>> form) {
        Matcher m;
        if (ACCOUNT.matcher(path).matches()) {
            return method.equals("GET") ? new Reply(200, accountJson()) : notAllowed();
        }
        if (NUMBERS.matcher(path).matches()) {
            return method.equals("GET") ? listNumbers(path, query) : notAllowed();
        }
        if ((m = NUMBER.matcher(path)).matches()) {
            NumberState number = bySid(m.group(2));
            if (number == null) {
                return notFound(path);
            }
            if (method.equals("GET")) {
                return new Reply(200, numberJson(number));
            }
            return method.equals("POST") ? updateNumber(number, path, form) : notAllowed();
        }
        if ((m = SERVICE_NUMBERS.matcher(path)).matches()) {
            ServiceState service = services.get(m.group(1));
            if (service == null) {
                return notFound(path);
            }
            return method.equals("GET") ? listServiceNumbers(service, query) : notAllowed();
        }
        if ((m = SERVICE.matcher(path)).matches()) {
            ServiceState service = services.get(m.group(1));
            if (service == null) {
                return notFound(path);
            }
            if (method.equals("GET")) {
                return new Reply(200, serviceJson(service));
            }
            return method.equals("POST") ? updateService(service, path, form) : notAllowed();
        }
        return notFound(path);
    }

    private Reply listNumbers(String path, Map<String, List<String>> query) {
        // Twilio matches PhoneNumber as a pattern, partial numbers included; the digits decide here.
        Optional<String> filter = first(query, "PhoneNumber").map(SandboxAccount::digits);
        int pageSize = first(query, "PageSize").map(Integer::parseInt).orElse(50);
        List<Map<String, Object>> page = new ArrayList<>();
        synchronized (numbers) {
            numbers.values().stream()
                    .filter(n -> !n.released)
                    .filter(n -> filter.isEmpty() || digits(n.phone).contains(filter.get()))
                    .limit(pageSize)
                    .forEach(n -> page.add(numberJson(n)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("end", Math.max(0, page.size() - 1));
        out.put("first_page_uri", path + "?PageSize=" + pageSize + "&Page=0");
        out.put("incoming_phone_numbers", page);
        out.put("next_page_uri", null);
        out.put("page", 0);
        out.put("page_size", pageSize);
        out.put("previous_page_uri", null);
        out.put("start", 0);
        out.put("uri", path + "?PageSize=" + pageSize + "&Page=0");
        return new Reply(200, out);
    }

    private Reply updateNumber(NumberState number, String path, Map<String, List<String>> form) {
        Optional<String> smsUrl = first(form, "SmsUrl");
        Optional<String> smsMethod = first(form, "SmsMethod");
        Optional<String> application = first(form, "SmsApplicationSid");
        Optional<Reply> invalid = invalidWebhook(form, "SmsUrl", "SmsMethod");
        if (invalid.isPresent()) {
            return invalid.get();
        }
        updates.add(new SandboxUpdate("POST", path, form));
        smsMethod.ifPresent(v -> number.smsMethod = v);
        application.ifPresent(v -> number.smsApplicationSid = v);
        if (smsUrl.isPresent()) {
            number.smsUrl = smsUrl.get();
            smsUrlChanged.accept(number.phone, smsUrl.get());
        }
        return new Reply(200, numberJson(number));
    }

    private Reply listServiceNumbers(ServiceState service, Map<String, List<String>> query) {
        int pageSize = first(query, "PageSize").map(Integer::parseInt).orElse(50);
        List<Map<String, Object>> page = new ArrayList<>();
        service.numbers.stream().sorted().limit(pageSize).forEach(phone -> {
            NumberState number = numbers.get(phone);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("sid", number.sid);
            item.put("account_sid", accountSid);
            item.put("service_sid", service.sid);
            item.put("date_created", created.toString());
            item.put("date_updated", created.toString());
            item.put("phone_number", phone);
            item.put("country_code", "US");
            item.put("capabilities", number.mms ? List.of("SMS", "MMS") : List.of("SMS"));
            item.put("url", MESSAGING + "/v1/Services/" + service.sid + "/PhoneNumbers/" + number.sid);
            page.add(item);
        });
        String url = MESSAGING + "/v1/Services/" + service.sid + "/PhoneNumbers?PageSize=" + pageSize + "&Page=0";
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("first_page_url", url);
        meta.put("key", "phone_numbers");
        meta.put("next_page_url", null);
        meta.put("page", 0);
        meta.put("page_size", pageSize);
        meta.put("previous_page_url", null);
        meta.put("url", url);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("phone_numbers", page);
        out.put("meta", meta);
        return new Reply(200, out);
    }

    /** The 400 for a webhook URL or method field that Twilio would refuse, if the update has one. */
    private static Optional<Reply> invalidWebhook(Map<String, List<String>> form, String urlField, String methodField) {
        Optional<String> url = first(form, urlField);
        Optional<String> method = first(form, methodField);
        if (url.isPresent() && !url.get().isEmpty() && !httpUrl(url.get())) {
            return Optional.of(error(400, 21502, urlField + " is not a valid URL: " + url.get()));
        }
        if (method.isPresent() && !Set.of("GET", "POST").contains(method.get())) {
            return Optional.of(error(400, 21502, methodField + " must be GET or POST: " + method.get()));
        }
        return Optional.empty();
    }

    private Reply updateService(ServiceState service, String path, Map<String, List<String>> form) {
        Optional<String> url = first(form, "InboundRequestUrl");
        Optional<String> method = first(form, "InboundMethod");
        Optional<String> onNumber = first(form, "UseInboundWebhookOnNumber");
        Optional<Reply> invalid = invalidWebhook(form, "InboundRequestUrl", "InboundMethod");
        if (invalid.isPresent()) {
            return invalid.get();
        }
        if (onNumber.isPresent() && !Set.of("true", "false").contains(onNumber.get())) {
            return error(400, 21502, "UseInboundWebhookOnNumber must be true or false: " + onNumber.get());
        }
        updates.add(new SandboxUpdate("POST", path, form));
        url.ifPresent(v -> service.inboundRequestUrl = v.isEmpty() ? null : v);
        method.ifPresent(v -> service.inboundMethod = v);
        onNumber.ifPresent(v -> service.useInboundWebhookOnNumber = Boolean.parseBoolean(v));
        return new Reply(200, serviceJson(service));
    }

    // ---- JSON in the OpenAPI shapes ----

    private Map<String, Object> accountJson() {
        String date = RFC_2822.format(created);
        String uri = "/2010-04-01/Accounts/" + accountSid;
        Map<String, Object> out = new LinkedHashMap<>();
        // Twilio returns the token here; the stand-in keeps it out of every answer.
        out.put("auth_token", "********");
        out.put("date_created", date);
        out.put("date_updated", date);
        out.put("friendly_name", "Switchboard sandbox");
        out.put("owner_account_sid", accountSid);
        out.put("sid", accountSid);
        out.put("status", status);
        Map<String, String> subresources = new LinkedHashMap<>();
        subresources.put("incoming_phone_numbers", uri + "/IncomingPhoneNumbers.json");
        subresources.put("messages", uri + "/Messages.json");
        out.put("subresource_uris", subresources);
        out.put("type", type);
        out.put("uri", uri + ".json");
        return out;
    }

    private Map<String, Object> numberJson(NumberState n) {
        String date = RFC_2822.format(created);
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("voice", true);
        capabilities.put("sms", n.sms);
        capabilities.put("mms", n.mms);
        capabilities.put("fax", false);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_sid", accountSid);
        out.put("address_sid", null);
        out.put("address_requirements", "none");
        out.put("api_version", API_VERSION);
        out.put("beta", false);
        out.put("capabilities", capabilities);
        out.put("date_created", date);
        out.put("date_updated", date);
        out.put("friendly_name", n.phone);
        out.put("identity_sid", null);
        out.put("phone_number", n.phone);
        out.put("origin", "twilio");
        out.put("sid", n.sid);
        out.put("sms_application_sid", n.smsApplicationSid);
        out.put("sms_fallback_method", "POST");
        out.put("sms_fallback_url", "");
        out.put("sms_method", n.smsMethod);
        out.put("sms_url", n.smsUrl);
        out.put("status_callback", "");
        out.put("status_callback_method", "POST");
        out.put("trunk_sid", null);
        out.put("uri", "/2010-04-01/Accounts/" + accountSid + "/IncomingPhoneNumbers/" + n.sid + ".json");
        out.put("voice_receive_mode", "voice");
        out.put("voice_application_sid", "");
        out.put("voice_caller_id_lookup", false);
        out.put("voice_fallback_method", "POST");
        out.put("voice_fallback_url", "");
        out.put("voice_method", "POST");
        out.put("voice_url", "");
        out.put("emergency_status", "Inactive");
        out.put("emergency_address_sid", null);
        out.put("emergency_address_status", "unregistered");
        out.put("bundle_sid", null);
        out.put("status", "in-use");
        out.put("type", "local");
        return out;
    }

    private Map<String, Object> serviceJson(ServiceState s) {
        String url = MESSAGING + "/v1/Services/" + s.sid;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sid", s.sid);
        out.put("account_sid", accountSid);
        out.put("friendly_name", "Switchboard sandbox service");
        out.put("date_created", created.toString());
        out.put("date_updated", created.toString());
        out.put("inbound_request_url", s.inboundRequestUrl);
        out.put("inbound_method", s.inboundMethod);
        out.put("fallback_url", null);
        out.put("fallback_method", "POST");
        out.put("status_callback", null);
        out.put("sticky_sender", true);
        out.put("mms_converter", true);
        out.put("smart_encoding", true);
        out.put("scan_message_content", "inherit");
        out.put("fallback_to_long_code", false);
        out.put("area_code_geomatch", true);
        out.put("synchronous_validation", false);
        out.put("validity_period", 14400);
        out.put("url", url);
        Map<String, String> links = new LinkedHashMap<>();
        links.put("phone_numbers", url + "/PhoneNumbers");
        links.put("short_codes", url + "/ShortCodes");
        links.put("alpha_senders", url + "/AlphaSenders");
        links.put("messages", url + "/Messages");
        links.put("us_app_to_person", url + "/Compliance/Usa2p");
        links.put("us_app_to_person_usecases", url + "/Compliance/Usa2p/Usecases");
        links.put("channel_senders", url + "/ChannelSenders");
        out.put("links", links);
        out.put("usecase", "undeclared");
        out.put("us_app_to_person_registered", false);
        out.put("use_inbound_webhook_on_number", s.useInboundWebhookOnNumber);
        return out;
    }

    // ---- helpers ----

    private NumberState bySid(String sid) {
        synchronized (numbers) {
            return numbers.values().stream()
                    .filter(n -> n.sid.equals(sid) && !n.released)
                    .findFirst()
                    .orElse(null);
        }
    }

    static Reply error(int status, int code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        error.put("status", status);
        return new Reply(status, error);
    }

    private static Reply notFound(String path) {
        return error(404, 20404, "The requested resource " + path + " was not found");
    }

    private static Reply notAllowed() {
        return error(405, 20004, "Method not allowed");
    }

    private static boolean httpUrl(String value) {
        try {
            URI uri = URI.create(value);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String digits(String value) {
        return value.replaceAll("[^0-9]", "");
    }

    private static Optional<String> first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    private String newSid(String prefix) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return requireNonNull(prefix) + HexFormat.of().formatHex(bytes);
    }
}
