package dev.switchboard.twilio.live;

import com.twilio.exception.ApiConnectionException;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Twilio at the SDK's HTTP seam: records each request (method, host, path, query and form
 * parameters) and answers from a table of routes; an unknown route is a 404 with error 20404.
 */
final class FakeTwilioHttp extends com.twilio.http.HttpClient {

    static final String ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    static final String AUTH_TOKEN = "live-test-token-0123456789";
    static final String NUMBER = "+15551234567";
    static final String NUMBER_SID = "PN0123456789abcdef0123456789abcdef";
    static final String SERVICE_SID = "MG0123456789abcdef0123456789abcdef";
    static final String WEBHOOK = "https://agent.example.com/webhooks/twilio";
    static final String API = "/2010-04-01/Accounts/" + ACCOUNT_SID;

    /** One request as the SDK made it. */
    record Call(
            String method, String host, String path, Map<String, List<String>> query, Map<String, List<String>> form) {

        String key() {
            return method + " " + path;
        }
    }

    private record Answer(int status, String body) {}

    private final Map<String, Answer> routes = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    /** Answers {@code method path} with {@code status} and {@code body} from now on. */
    FakeTwilioHttp on(String method, String path, int status, String body) {
        routes.put(method + " " + path, new Answer(status, body));
        return this;
    }

    /** Fails {@code method path} as a connection that was refused. */
    FakeTwilioHttp unreachable(String method, String path) {
        routes.put(method + " " + path, new Answer(0, ""));
        return this;
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<String> keys() {
        return calls.stream().map(Call::key).toList();
    }

    Call only(String method, String path) {
        List<Call> matching =
                calls.stream().filter(c -> c.key().equals(method + " " + path)).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + method + " " + path + ", got " + keys());
        }
        return matching.get(0);
    }

    @Override
    public Response reliableRequest(Request request) {
        return makeRequest(request);
    }

    @Override
    public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
        return makeRequest(request);
    }

    @Override
    public Response makeRequest(Request request) {
        URL url = request.constructURL();
        Call call = new Call(
                request.getMethod().toString(),
                url.getHost(),
                url.getPath(),
                new LinkedHashMap<>(request.getQueryParams()),
                new LinkedHashMap<>(request.getPostParams()));
        calls.add(call);
        Answer answer = routes.get(call.key());
        if (answer == null) {
            return new Response(error(404, 20404, "The requested resource " + call.path() + " was not found"), 404);
        }
        if (answer.status() == 0) {
            throw new ApiConnectionException("no answer: connection refused");
        }
        return new Response(answer.body(), answer.status());
    }

    // ---- Twilio's JSON, in the shapes of its OpenAPI description ----

    static String error(int status, int code, String message) {
        return "{\"code\":" + code + ",\"message\":\"" + message + "\",\"more_info\":"
                + "\"https://www.twilio.com/docs/errors/" + code + "\",\"status\":" + status + "}";
    }

    static String account(String status, String type) {
        return "{\"auth_token\":\"" + AUTH_TOKEN + "\",\"date_created\":\"Thu, 30 Jul 2015 20:00:00 +0000\","
                + "\"date_updated\":\"Thu, 30 Jul 2015 20:00:00 +0000\",\"friendly_name\":\"test\","
                + "\"owner_account_sid\":\"" + ACCOUNT_SID + "\",\"sid\":\"" + ACCOUNT_SID + "\",\"status\":\""
                + status + "\",\"subresource_uris\":{},\"type\":\"" + type + "\",\"uri\":\"" + API + ".json\"}";
    }

    static String number(
            String sid, String phone, String smsUrl, String smsMethod, String appSid, boolean sms, boolean mms) {
        return "{\"account_sid\":\"" + ACCOUNT_SID
                + "\",\"api_version\":\"2010-04-01\",\"capabilities\":{\"voice\":true,"
                + "\"sms\":" + sms + ",\"mms\":" + mms + ",\"fax\":false},\"friendly_name\":\"n\",\"phone_number\":\""
                + phone + "\",\"sid\":\"" + sid + "\",\"sms_application_sid\":" + quoted(appSid)
                + ",\"sms_fallback_method\":\"POST\",\"sms_fallback_url\":\"\",\"sms_method\":" + quoted(smsMethod)
                + ",\"sms_url\":" + quoted(smsUrl) + ",\"status\":\"in-use\",\"uri\":\"" + API
                + "/IncomingPhoneNumbers/" + sid + ".json\"}";
    }

    static String healthyNumber() {
        return number(NUMBER_SID, NUMBER, WEBHOOK, "POST", "", true, true);
    }

    static String numberPage(String... numbers) {
        return "{\"end\":" + Math.max(0, numbers.length - 1) + ",\"first_page_uri\":\"" + API
                + "/IncomingPhoneNumbers.json?PageSize=50&Page=0\",\"incoming_phone_numbers\":["
                + String.join(",", numbers) + "],\"next_page_uri\":null,\"page\":0,\"page_size\":50,"
                + "\"previous_page_uri\":null,\"start\":0,\"uri\":\"" + API + "/IncomingPhoneNumbers.json\"}";
    }

    static String service(String inboundUrl, String inboundMethod, boolean useInboundWebhookOnNumber) {
        return "{\"sid\":\"" + SERVICE_SID + "\",\"account_sid\":\"" + ACCOUNT_SID + "\",\"friendly_name\":\"s\","
                + "\"inbound_request_url\":" + quoted(inboundUrl) + ",\"inbound_method\":" + quoted(inboundMethod)
                + ",\"use_inbound_webhook_on_number\":" + useInboundWebhookOnNumber
                + ",\"url\":\"https://messaging.twilio.com/v1/Services/" + SERVICE_SID + "\"}";
    }

    static String servicePhoneNumbers(String... phones) {
        List<String> items = new ArrayList<>();
        for (String phone : phones) {
            items.add("{\"sid\":\"" + NUMBER_SID + "\",\"account_sid\":\"" + ACCOUNT_SID + "\",\"service_sid\":\""
                    + SERVICE_SID + "\",\"phone_number\":\"" + phone + "\",\"country_code\":\"US\","
                    + "\"capabilities\":[\"SMS\",\"MMS\"]}");
        }
        String url = "https://messaging.twilio.com/v1/Services/" + SERVICE_SID + "/PhoneNumbers";
        return "{\"phone_numbers\":[" + String.join(",", items) + "],\"meta\":{\"page\":0,\"page_size\":50,"
                + "\"first_page_url\":\"" + url + "?PageSize=50&Page=0\",\"previous_page_url\":null,\"url\":\"" + url
                + "?PageSize=50&Page=0\",\"next_page_url\":null,\"key\":\"phone_numbers\"}}";
    }

    /** A page of messages to {@link #NUMBER}, one per code (null: no error). */
    static String messagePage(Integer... errorCodes) {
        List<String> items = new ArrayList<>();
        int i = 0;
        for (Integer code : errorCodes) {
            String sid = String.format("SM%032d", i++);
            items.add("{\"account_sid\":\"" + ACCOUNT_SID + "\",\"api_version\":\"2010-04-01\",\"body\":\"hello\","
                    + "\"date_created\":\"Thu, 30 Jul 2015 20:12:31 +0000\",\"direction\":\"inbound\","
                    + "\"error_code\":" + code + ",\"error_message\":null,\"from\":\"+15557654321\","
                    + "\"num_media\":\"0\",\"num_segments\":\"1\",\"sid\":\"" + sid + "\",\"status\":\"received\","
                    + "\"to\":\"" + NUMBER + "\",\"uri\":\"" + API + "/Messages/" + sid + ".json\"}");
        }
        return "{\"end\":" + Math.max(0, items.size() - 1) + ",\"first_page_uri\":\"" + API
                + "/Messages.json?PageSize=50&Page=0\",\"messages\":[" + String.join(",", items)
                + "],\"next_page_uri\":null,\"page\":0,\"page_size\":50,\"previous_page_uri\":null,\"start\":0,"
                + "\"uri\":\"" + API + "/Messages.json\"}";
    }

    private static String quoted(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
