package dev.switchboard.twilio.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the checks and changes show never holds the password of a webhook URL. */
class LiveOutputTest {

    private static final String URL = "https://bob:hunter2@agent.example.com/webhooks/twilio";

    @Test
    void aCheckShowsAWebhookUrlWithoutItsUserAndPassword() {
        LiveCheck check = new LiveCheck(
                "webhook", LiveCheck.Status.FAIL, "url_mismatch: Twilio calls " + URL, "set it to " + URL);

        assertThat(check.detail())
                .isEqualTo("url_mismatch: Twilio calls https://***@agent.example.com/webhooks/twilio");
        assertThat(check.fix()).doesNotContain("bob").doesNotContain("hunter2");
    }

    @Test
    void aChangeKeepsItsValuesAndShowsThemWithoutPasswords() {
        WebhookChange change = new WebhookChange("number", "SmsUrl", "http://old.example.com/sms", URL, true);

        assertThat(change.to()).isEqualTo(URL);
        assertThat(change.shownTo()).isEqualTo("https://***@agent.example.com/webhooks/twilio");
        assertThat(change.shownFrom()).isEqualTo("http://old.example.com/sms");
        assertThat(WebhookChange.withoutPassword("no URL here, user@example.com"))
                .isEqualTo("no URL here, user@example.com");
    }
}
