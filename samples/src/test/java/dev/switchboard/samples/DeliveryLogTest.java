package dev.switchboard.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.DeliveryStatus;
import dev.switchboard.channel.PermanentChannelException;
import dev.switchboard.runtime.delivery.PartStatus;
import dev.switchboard.runtime.delivery.ReplyOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeliveryLogTest {

    private static final String NUMBER = "+15551234567";
    private static final ConversationKey KEY = new ConversationKey("sms", Address.of(NUMBER));
    private static final String SID = "SM0123456789abcdef0123456789abcdef";

    /** What the sample logs (slf4j-simple writes to {@code System.err}, looked up at each write). */
    private static String logged(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    @Test
    void logsEachPartsMoveWithTheFullSidAndARedactedNumber() {
        DeliveryLog log = new DeliveryLog();

        String text = logged(() -> {
            log.onPartStatus(new PartStatus(KEY, 1, 1, SID, DeliveryStatus.DELIVERED, Optional.empty(), Instant.EPOCH));
            log.onPartStatus(
                    new PartStatus(KEY, 2, 3, SID, DeliveryStatus.UNDELIVERED, Optional.of("30003"), Instant.EPOCH));
        });

        assertThat(text)
                .contains("INFO")
                .contains("delivered " + SID + " to +1555***4567")
                .contains("undelivered " + SID + " to +1555***4567 (part 2/3), error 30003")
                .doesNotContain(NUMBER);
    }

    @Test
    void logsAFailedReplyAtWarnWithItsReason() {
        DeliveryLog log = new DeliveryLog();
        ReplyOutcome failed = new ReplyOutcome(
                ReplyOutcome.Kind.FAILED,
                KEY,
                List.of(SID),
                3,
                2,
                Optional.of("21211"),
                "part 2/3 refused: Twilio error 21211: the recipient +1555***4567 is not a valid phone number",
                Optional.of(new PermanentChannelException("invalid", "21211", null)),
                Instant.EPOCH);

        String text = logged(() -> log.onReplyOutcome(failed));

        assertThat(text)
                .contains("WARN")
                .contains("reply to sms:+1555***4567 failed: part 2/3 refused")
                .doesNotContain(NUMBER);
    }
}
