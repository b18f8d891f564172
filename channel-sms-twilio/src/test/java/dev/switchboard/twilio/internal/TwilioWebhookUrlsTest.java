package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TwilioWebhookUrlsTest {

    @Test
    void theStatusUrlAddsToThePathBeforeTheQuery() {
        assertThat(TwilioWebhookUrls.statusUrl("https://a.example/hook")).isEqualTo("https://a.example/hook/status");
        assertThat(TwilioWebhookUrls.statusUrl("https://a.example/hook/?k=v"))
                .isEqualTo("https://a.example/hook/status?k=v");
        assertThat(TwilioWebhookUrls.statusUrl("https://a.example")).isEqualTo("https://a.example/status");
    }

    @ParameterizedTest
    @CsvSource({
        "/webhooks/twilio, /webhooks/twilio",
        "/webhooks/twilio/, /webhooks/twilio",
        "/wa/in//, /wa/in",
        "/, /",
        "///, /"
    })
    void theWebhookPathLosesItsTrailingSlashes(String configured, String normalised) {
        assertThat(TwilioWebhookUrls.webhookPath(configured)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @ValueSource(strings = {"webhooks", "", "/a?b=c", "/a#top", "/a b", "/a\t"})
    void refusesAPathThatIsNotOne(String configured) {
        assertThatThrownBy(() -> TwilioWebhookUrls.webhookPath(configured))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("webhookPath must start with / and have no query, fragment or whitespace: " + configured);
    }

    @Test
    void theStatusPathSitsBesideTheWebhookPath() {
        assertThat(TwilioWebhookUrls.statusPath("/webhooks/twilio")).isEqualTo("/webhooks/twilio/status");
        assertThat(TwilioWebhookUrls.statusPath("/")).isEqualTo("/status");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"https://bot.example.com/hook", "http://127.0.0.1:8080/hook?tenant=7", "HTTPS://bot.example.com"
            })
    void acceptsAbsoluteHttpUrlsAsThePublicUrl(String url) {
        assertThat(TwilioWebhookUrls.publicUrl("X_WEBHOOK_URL", url)).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bot.example.com/hook",
                "ftp://bot.example.com/hook",
                "https://bot.example.com/hook#top",
                "https:///hook",
                "http://a b"
            })
    void refusesAnythingElseNamingTheOption(String url) {
        assertThatThrownBy(() -> TwilioWebhookUrls.publicUrl("X_WEBHOOK_URL", url))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("X_WEBHOOK_URL must be an absolute http(s) URL without a fragment: " + url);
    }
}
