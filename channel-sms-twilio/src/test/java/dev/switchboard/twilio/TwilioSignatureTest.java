package dev.switchboard.twilio;

import static dev.switchboard.twilio.TwilioTestData.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.twilio.security.RequestValidator;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwilioSignatureTest {

    private static final String TOKEN = "12345";
    private static final Map<String, List<String>> VECTOR_PARAMS = params(
            "CallSid", "CA1234567890ABCDE",
            "Caller", "+14158675309",
            "Digits", "1234",
            "From", "+14158675309",
            "To", "+18005551212");

    @ParameterizedTest
    @CsvSource({
        "https://mycompany.com/myapp.php?foo=1&bar=2, RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "http://mycompany.com:1234/myapp.php?foo=1&bar=2, Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2, kvajT1Ptam85bY51eRf/AJRuM3w=",
        "http://mycompany.com:80/myapp.php?foo=1&bar=2, 0ZXoZLH/DfblKGATFgpif+LLRf4=",
    })
    void signsTheKnownAnswerVectors(String url, String expected) {
        assertThat(TwilioSignature.sign(TOKEN, url, VECTOR_PARAMS)).isEqualTo(expected);
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, VECTOR_PARAMS, expected))
                .isTrue();
    }

    @Test
    void signsRepeatedKeysSortedByValue() {
        Map<String, List<String>> repeated = params(
                "Sid", "CA123",
                "SidAccount", "AC123",
                "Digits", "5678",
                "Digits", "1234",
                "Digits", "1234");
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        assertThat(TwilioSignature.sign(TOKEN, url, repeated)).isEqualTo("IK+Dwps556ElfBT0I3Rgjkr1wJU=");
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, repeated, "IK+Dwps556ElfBT0I3Rgjkr1wJU="))
                .isTrue();
    }

    @Test
    void acceptsRepeatedKeysSignedWithEveryCopy() {
        Map<String, List<String>> repeated = params("Digits", "5678", "Digits", "1234", "Digits", "1234");
        String url = "https://mycompany.com/myapp.php";
        String everyCopy = TwilioSignature.sign(TOKEN, url, params("Digits", "1234", "Digits1234Digits", "5678"));

        // Digits1234 + Digits1234Digits5678 is the same data as the three copies in order.
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, repeated, everyCopy))
                .isTrue();
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, params("Digits", "5678", "Digits", "1234"), everyCopy))
                .isFalse();
    }

    @Test
    void theOrderOfArrivalDoesNotMatter() {
        Map<String, List<String>> reversed = new LinkedHashMap<>();
        List<String> names = List.copyOf(VECTOR_PARAMS.keySet());
        for (int i = names.size() - 1; i >= 0; i--) {
            reversed.put(names.get(i), VECTOR_PARAMS.get(names.get(i)));
        }
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        assertThat(TwilioSignature.sign(TOKEN, url, reversed)).isEqualTo("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    }

    @ParameterizedTest
    @CsvSource({
        // signed with the default port, received without it, and the reverse
        "https://mycompany.com:443/myapp.php?foo=1&bar=2, https://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com/myapp.php?foo=1&bar=2, https://mycompany.com:443/myapp.php?foo=1&bar=2",
        "http://mycompany.com:80/myapp.php?foo=1&bar=2, http://mycompany.com/myapp.php?foo=1&bar=2",
        "http://mycompany.com/myapp.php?foo=1&bar=2, http://mycompany.com:80/myapp.php?foo=1&bar=2",
        "https://user:pw@mycompany.com:443/myapp.php, https://user:pw@mycompany.com/myapp.php",
        "https://[2001:db8::1]/hook, https://[2001:db8::1]:443/hook",
    })
    void acceptsTheUrlWithAndWithoutTheDefaultPort(String signedUrl, String configuredUrl) {
        String signature = TwilioSignature.sign(TOKEN, signedUrl, VECTOR_PARAMS);

        assertThat(TwilioSignature.verifier(TOKEN).verify(configuredUrl, VECTOR_PARAMS, signature))
                .isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        // another port is another URL
        "http://mycompany.com:1234/myapp.php, http://mycompany.com/myapp.php",
        "https://mycompany.com:8443/myapp.php, https://mycompany.com/myapp.php",
        // a default port belongs to its own scheme only
        "https://mycompany.com:80/myapp.php, https://mycompany.com/myapp.php",
        // scheme mismatch: a proxy terminating TLS must be configured with the public https URL
        "https://mycompany.com/myapp.php, http://mycompany.com/myapp.php",
        "https://mycompany.com/myapp.php, http://mycompany.com:443/myapp.php",
        // another path or query
        "https://mycompany.com/myapp.php, https://mycompany.com/myapp.php/",
        "https://mycompany.com/myapp.php?foo=1, https://mycompany.com/myapp.php?foo=2",
    })
    void refusesAnotherUrl(String signedUrl, String configuredUrl) {
        String signature = TwilioSignature.sign(TOKEN, signedUrl, VECTOR_PARAMS);

        assertThat(TwilioSignature.verifier(TOKEN).verify(configuredUrl, VECTOR_PARAMS, signature))
                .isFalse();
    }

    @Test
    void refusesATamperedParameter() {
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        Map<String, List<String>> tampered = new LinkedHashMap<>(VECTOR_PARAMS);
        tampered.put("Digits", List.of("1235"));

        assertThat(TwilioSignature.verifier(TOKEN).verify(url, tampered, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isFalse();
    }

    @Test
    void refusesAnAddedOrRemovedParameterOrValue() {
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        TwilioSignature verifier = TwilioSignature.verifier(TOKEN);
        Map<String, List<String>> added = new LinkedHashMap<>(VECTOR_PARAMS);
        added.put("Body", List.of(""));
        Map<String, List<String>> removed = new LinkedHashMap<>(VECTOR_PARAMS);
        removed.remove("Caller");
        Map<String, List<String>> anotherValue = new LinkedHashMap<>(VECTOR_PARAMS);
        anotherValue.put("Digits", List.of("1234", "9"));
        Map<String, List<String>> sameValueTwice = new LinkedHashMap<>(VECTOR_PARAMS);
        sameValueTwice.put("Digits", List.of("1234", "1234"));

        assertThat(verifier.verify(url, added, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).isFalse();
        assertThat(verifier.verify(url, removed, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isFalse();
        assertThat(verifier.verify(url, anotherValue, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isFalse();
        // A value repeated under its name is signed once (the repeated-keys vector), so a copy of a
        // value already there changes nothing that is signed, and nothing that is read.
        assertThat(verifier.verify(url, sameValueTwice, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isTrue();
    }

    @Test
    void refusesTheWrongToken() {
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        assertThat(TwilioSignature.verifier("54321").verify(url, VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isFalse();
    }

    @Test
    void refusesAMissingEmptyOrMangledSignature() {
        String url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        TwilioSignature verifier = TwilioSignature.verifier(TOKEN);

        assertThat(verifier.verify(url, VECTOR_PARAMS, null)).isFalse();
        assertThat(verifier.verify(url, VECTOR_PARAMS, "")).isFalse();
        assertThat(verifier.verify(url, VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8"))
                .isFalse();
        assertThat(verifier.verify(url, VECTOR_PARAMS, "rsoydt4t1cutdk1pdd93/vvr8b8="))
                .isFalse();
        assertThat(verifier.verify(url, VECTOR_PARAMS, " RSOYDt4T1cUTdK1PDd93/VVr8B8="))
                .isFalse();
    }

    @Test
    void agreesWithTwilioRequestValidatorOnSingleValuedParameters() {
        Random random = new Random(20240611);
        String[] urls = {
            "https://example.com/webhooks/twilio",
            "https://example.com:443/webhooks/twilio?key=a%20b",
            "http://127.0.0.1:8080/webhooks/twilio",
            "https://tunnel.example.net/webhooks/twilio/status"
        };
        for (int round = 0; round < 200; round++) {
            Map<String, String> single = new LinkedHashMap<>();
            int count = random.nextInt(12);
            for (int i = 0; i < count; i++) {
                single.put(randomText(random, 1, 12), randomText(random, 0, 40));
            }
            Map<String, List<String>> multi = new LinkedHashMap<>();
            single.forEach((k, v) -> multi.put(k, List.of(v)));
            String url = urls[round % urls.length];
            String token = randomText(random, 1, 32);

            String signature = TwilioSignature.sign(token, url, multi);

            assertThat(new RequestValidator(token).validate(url, single, signature))
                    .as("RequestValidator accepts our signature of %s", single.keySet())
                    .isTrue();
            assertThat(TwilioSignature.verifier(token).verify(url, multi, signature))
                    .isTrue();
            if (!single.isEmpty()) {
                String name = single.keySet().iterator().next();
                Map<String, String> tampered = new LinkedHashMap<>(single);
                tampered.put(name, single.get(name) + "x");
                assertThat(new RequestValidator(token).validate(url, tampered, signature))
                        .isFalse();
            }
        }
    }

    @Test
    void signsNonAsciiTextAsUtf8AndASurrogatePairSplitBetweenANameAndItsValueAsOneCharacter() throws Exception {
        String url = "https://example.com/webhooks/twilio";
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("Body", List.of("caf\u00e9 \uD83D\uDE00 \u4f60\u597d"));
        params.put("x\uD83D", List.of("\uDE00y"));
        params.put("\uDE00", List.of("z\uD83D"));
        // The definition, spelt out: the URL, then each name and value sorted by name, as UTF-8.
        String data =
                url + "Body" + "caf\u00e9 \uD83D\uDE00 \u4f60\u597d" + "x\uD83D" + "\uDE00y" + "\uDE00" + "z\uD83D";
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));

        assertThat(TwilioSignature.sign(TOKEN, url, params)).isEqualTo(expected);
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, params, expected))
                .isTrue();
        params.put("Body", List.of("cafe \uD83D\uDE00 \u4f60\u597d"));
        assertThat(TwilioSignature.verifier(TOKEN).verify(url, params, expected))
                .isFalse();
    }

    @Test
    void decodesAPostedBodyIntoTheParametersItsSignatureCovers() {
        String url = "https://example.com/webhooks/twilio";
        byte[] body = TwilioTestData.form(
                "Body", "caf\u00e9 & 100% \uD83D\uDE00", "MediaUrl", "https://a.example/1?x=1", "MediaUrl", "two");

        Map<String, List<String>> decoded = TwilioSignature.decodeForm(body);

        assertThat(decoded)
                .containsExactly(
                        Map.entry("Body", List.of("caf\u00e9 & 100% \uD83D\uDE00")),
                        Map.entry("MediaUrl", List.of("https://a.example/1?x=1", "two")));
        assertThat(TwilioSignature.verifier(TOKEN)
                        .verify(
                                url,
                                decoded,
                                TwilioSignature.sign(
                                        TOKEN,
                                        url,
                                        TwilioTestData.params(
                                                "Body", "caf\u00e9 & 100% \uD83D\uDE00",
                                                "MediaUrl", "https://a.example/1?x=1",
                                                "MediaUrl", "two"))))
                .isTrue();
        assertThatThrownBy(() -> decoded.put("To", List.of("+15550001111")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesABodyThatDoesNotDecodeWithoutQuotingIt() {
        assertThatThrownBy(() -> TwilioSignature.decodeForm("Body=secret%zz".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed form body: bad percent-escape at byte 11 (in the value of Body)");
        assertThatThrownBy(() -> TwilioSignature.decodeForm("Body=secret%C3%28".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed form body: invalid UTF-8 (in the value of Body)");
    }

    @Test
    void rejectsAnEmptyToken() {
        assertThatThrownBy(() -> TwilioSignature.verifier(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("authToken");
    }

    @Test
    void neverShowsTheToken() {
        assertThat(TwilioSignature.verifier("s3cret-token")).asString().doesNotContain("s3cret");
        assertThat(TwilioSignature.verifier("s3cret-token", "0ld-token"))
                .asString()
                .doesNotContain("s3cret")
                .doesNotContain("0ld");
    }

    @ParameterizedTest
    @CsvSource({
        "https://mycompany.com/myapp.php?foo=1&bar=2, https://mycompany.com/myapp.php?foo=1&bar=2",
        "https://mycompany.com:443/myapp.php?foo=1&bar=2, https://mycompany.com/myapp.php?foo=1&bar=2",
    })
    void aRotationsVerifierAcceptsEitherTokenAndNoOther(String signedUrl, String configuredUrl) {
        TwilioSignature rotating = TwilioSignature.verifier("new-token", TOKEN);
        Map<String, List<String>> repeated = params("Digits", "1234", "Digits", "1234", "To", "+18005551212");

        for (String token : List.of("new-token", TOKEN)) {
            assertThat(rotating.verify(
                            configuredUrl, VECTOR_PARAMS, TwilioSignature.sign(token, signedUrl, VECTOR_PARAMS)))
                    .as("signed with %s", token)
                    .isTrue();
            assertThat(rotating.verify(configuredUrl, repeated, TwilioSignature.sign(token, signedUrl, repeated)))
                    .isTrue();
        }
        assertThat(rotating.verify(
                        configuredUrl, VECTOR_PARAMS, TwilioSignature.sign("54321", signedUrl, VECTOR_PARAMS)))
                .isFalse();
        assertThat(rotating.verify(configuredUrl, VECTOR_PARAMS, null)).isFalse();
        // One token twice is one token.
        assertThat(TwilioSignature.verifier(TOKEN, TOKEN)
                        .verify(configuredUrl, VECTOR_PARAMS, TwilioSignature.sign(TOKEN, signedUrl, VECTOR_PARAMS)))
                .isTrue();
    }

    @Test
    void aRotationsVerifierNeedsTwoTokens() {
        assertThatThrownBy(() -> TwilioSignature.verifier(TOKEN, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secondaryAuthToken cannot be empty");
        assertThatThrownBy(() -> TwilioSignature.verifier("", TOKEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("authToken cannot be empty");
        assertThatThrownBy(() -> TwilioSignature.verifier(TOKEN, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("secondaryAuthToken");
    }

    private static String randomText(Random random, int min, int max) {
        String alphabet = "abcXYZ019 +&=%?/:._-é€漢😀\n";
        int length = min + random.nextInt(max - min + 1);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            int start = random.nextInt(alphabet.length());
            // keep surrogate pairs whole
            if (Character.isLowSurrogate(alphabet.charAt(start))) {
                start--;
            }
            int end = Character.isHighSurrogate(alphabet.charAt(start)) ? start + 2 : start + 1;
            text.append(alphabet, start, end);
        }
        return text.toString();
    }
}
