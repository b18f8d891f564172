package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.runtime.AgentRuntime;
import dev.switchboard.runtime.schedule.PushOutcome.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The values and options of the push API. */
class PushApiTest {

    @Test
    void refusesANegativeConfirmationTimeoutNamingTheOption() {
        assertThatThrownBy(() -> AgentRuntime.builder().deliveryConfirmationTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deliveryConfirmationTimeout cannot be negative: PT-1S");
    }

    @Test
    void defaultsToEveryHomeOneCatchUpRunAndAOneMinuteThreshold() {
        ScheduleOptions defaults = ScheduleOptions.defaults();

        assertThat(defaults.target()).isEqualTo(PushTarget.allHomes());
        assertThat(defaults.catchUp()).isEqualTo(CatchUp.ONCE);
        assertThat(defaults.misfireThreshold()).isEqualTo(Duration.ofMinutes(1));
        assertThat(defaults.withTarget(PushTarget.home("sms")).withCatchUp(CatchUp.NONE))
                .isEqualTo(new ScheduleOptions(PushTarget.home("sms"), CatchUp.NONE, Duration.ofMinutes(1)));
    }

    @Test
    void refusesANegativeMisfireThreshold() {
        assertThatThrownBy(() -> ScheduleOptions.defaults().withMisfireThreshold(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("misfireThreshold cannot be negative: PT-5S");
    }

    @Test
    void showsTargetsWithTheAddressRedacted() {
        assertThat(PushTarget.allHomes()).hasToString("all homes");
        assertThat(PushTarget.home("whatsapp")).hasToString("home of whatsapp");
        assertThat(PushTarget.to("sms", Address.of("+15550001111"))).hasToString("sms:+1555***1111");
    }

    @Test
    void showsAnOutcomeWithTheAddressRedactedAndNoText() {
        PushOutcome outcome = new PushOutcome(
                Kind.FAILED,
                Optional.of("digest"),
                Optional.of(Instant.parse("2024-05-01T09:00:00Z")),
                Optional.of("sms"),
                Optional.of(Address.of("+15550001111")),
                List.of("SM1"),
                Optional.of("21610"),
                "refused: unsubscribed",
                Optional.of(new IllegalStateException("x")),
                Instant.parse("2024-05-01T09:00:01Z"));

        assertThat(outcome.toString())
                .isEqualTo("PushOutcome[FAILED, schedule=digest, fireTime=2024-05-01T09:00:00Z, channel=sms,"
                        + " to=+1555***1111, messageIds=[SM1], providerCode=21610, reason=refused: unsubscribed,"
                        + " failure=java.lang.IllegalStateException, settledAt=2024-05-01T09:00:01Z]")
                .doesNotContain("+15550001111");
    }

    @Test
    void countsFailuresAndSupplierErrorsAsFailures() {
        assertThat(Kind.values()).filteredOn(Kind::isFailure).containsExactly(Kind.FAILED, Kind.SUPPLIER_ERROR);
    }
}
