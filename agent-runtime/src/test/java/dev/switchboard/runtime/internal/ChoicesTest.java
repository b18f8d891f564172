package dev.switchboard.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.runtime.Choice;
import dev.switchboard.runtime.Reply;
import dev.switchboard.runtime.schedule.MutableClock;
import dev.switchboard.runtime.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChoicesTest {

    private static final List<String> MENU = List.of("Pizza", "Pasta", "Green salad");
    private static final ConversationKey ALICE = new ConversationKey("sms", Address.of("+15551230001"));

    @Test
    void aReplyShowsItsChoicesAsANumberedListWithAnInstruction() {
        String text = Choices.render(Reply.text("What would you like?").withChoices(MENU));

        assertThat(text)
                .isEqualTo("What would you like?\n\n1. Pizza\n2. Pasta\n3. Green salad\n\n"
                        + "Reply with a number from 1 to 3.");
    }

    @Test
    void aLabelIsShownAsTypedEvenWithMarkdownInIt() {
        assertThat(Choices.render(Reply.text("Pick").withChoices("*bold*", "snake_case")))
                .contains("1. \\*bold\\*", "2. snake\\_case");
    }

    @Test
    void aNumberANumberWordOrALabelInAnyCasePicksAChoice() {
        assertThat(Choices.pick(MENU, "2")).contains(new Choice(2, "Pasta"));
        assertThat(Choices.pick(MENU, " 3. ")).contains(new Choice(3, "Green salad"));
        assertThat(Choices.pick(MENU, "#1")).contains(new Choice(1, "Pizza"));
        assertThat(Choices.pick(MENU, "Two")).contains(new Choice(2, "Pasta"));
        assertThat(Choices.pick(MENU, "THIRD")).contains(new Choice(3, "Green salad"));
        assertThat(Choices.pick(MENU, "green SALAD")).contains(new Choice(3, "Green salad"));
        assertThat(Choices.pick(MENU, "pizza!")).contains(new Choice(1, "Pizza"));
    }

    @Test
    void anythingElseIsOrdinaryText() {
        assertThat(Choices.pick(MENU, "4")).isEmpty();
        assertThat(Choices.pick(MENU, "0")).isEmpty();
        assertThat(Choices.pick(MENU, "four")).isEmpty();
        assertThat(Choices.pick(MENU, "2 please")).isEmpty();
        assertThat(Choices.pick(MENU, "salad")).isEmpty();
        assertThat(Choices.pick(MENU, "")).isEmpty();
    }

    @Test
    void theNextMessageEndsTheChoicesWhetherItPicksOneOrNot() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        Choices choices = new Choices(Store.inMemory(), clock, Duration.ofHours(1));

        choices.offered(ALICE, MENU);
        assertThat(choices.answer(ALICE, "what?")).isEmpty();
        assertThat(choices.answer(ALICE, "2")).as("ended by the message before").isEmpty();

        choices.offered(ALICE, MENU);
        assertThat(choices.answer(ALICE, "2")).contains(new Choice(2, "Pasta"));
        assertThat(choices.answer(ALICE, "2")).as("answered once").isEmpty();
    }

    @Test
    void aChoiceAnsweredAfterItsExpiryIsOrdinaryText() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
        Choices choices = new Choices(Store.inMemory(), clock, Duration.ofHours(1));

        choices.offered(ALICE, MENU);
        clock.advance(Duration.ofMinutes(59));
        ConversationKey bob = new ConversationKey("sms", Address.of("+15551230002"));
        choices.offered(bob, MENU);
        assertThat(choices.answer(bob, "1")).contains(new Choice(1, "Pizza"));
        clock.advance(Duration.ofMinutes(1));

        assertThat(choices.answer(ALICE, "1")).isEmpty();
    }

    @Test
    void aReplyRefusesChoicesThatCouldNotBeAnsweredClearly() {
        assertThatThrownBy(() -> Reply.text("x").withChoices("Yes", "yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeats");
        assertThatThrownBy(() -> Reply.text("x").withChoices("one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two");
        assertThatThrownBy(() -> Reply.text("x").withChoices("a", "b\nc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line");
        assertThatThrownBy(() ->
                        Reply.text("x").withChoices(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 10");
        assertThat(Optional.of(Reply.text("").withChoices("a", "b").choices())).contains(List.of("a", "b"));
    }
}
