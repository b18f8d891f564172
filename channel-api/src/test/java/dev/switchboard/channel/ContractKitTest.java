package dev.switchboard.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.switchboard.channel.ReferenceChannel.Defect;
import dev.switchboard.channel.testkit.ChannelContractTest;
import dev.switchboard.channel.testkit.ChannelFixture;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The contract kit catches each way a channel can break the contract: the kit runs against the
 * {@link ReferenceChannel} with one {@link Defect} switched on, and the tests that must see it
 * fail, while the same channel without defect passes ({@link ReferenceChannelContractTest}).
 */
class ContractKitTest {

    private static final Map<Defect, Set<String>> CAUGHT_BY = Map.ofEntries(
            Map.entry(
                    Defect.ACCEPTS_FORGERIES,
                    Set.of(
                            "aForgedInboundIsRefused",
                            "anUnauthenticatedInboundIsRefused",
                            "aTamperedInboundIsRefused",
                            "unauthenticatedOrTamperedDeliveryReportsAreRefused")),
            Map.entry(
                    Defect.SYSTEM_CLOCK,
                    Set.of(
                            "anAuthenticInboundMessageIsParsed",
                            "theHostClockStampsEachMessageAsItArrives",
                            "everyReportedStatusBecomesAReceipt",
                            // the system clock moved between the two reports
                            "aRepeatedReportIsParsedAgain")),
            Map.entry(Defect.WRONG_CHANNEL_ID, Set.of("anAuthenticInboundMessageIsParsed")),
            Map.entry(Defect.ASCII_ONLY, Set.of("theTextArrivesExactlyAsWritten")),
            Map.entry(Defect.UNDECLARED_MEDIA_TYPE, Set.of("routesAreDeclaredCompletely")),
            Map.entry(
                    Defect.CLAIMS_ANOTHER_ID_SHAPE,
                    Set.of("anAuthenticInboundMessageIsParsed", "anAcceptedSendReturnsTheProvidersId")),
            Map.entry(Defect.RAW_NUMBER_IN_ERRORS, Set.of("noRawAddressInWhatTheChannelShowsOrThrows")),
            Map.entry(Defect.THROTTLING_MAY_HAVE_SENT, Set.of("aFailureThatSentNothingIsRetriableAndSafeToRepeat")),
            Map.entry(
                    Defect.DROPS_PROVIDER_CODE,
                    Set.of(
                            "aFailureThatSentNothingIsRetriableAndSafeToRepeat",
                            "aFailureThatMayHaveSentIsRetriableAndSaysSo",
                            "aRefusalIsPermanentWithTheProvidersCode")),
            Map.entry(Defect.REFUSES_REPEATED_REPORTS, Set.of("aRepeatedReportIsParsedAgain")),
            Map.entry(Defect.ACCEPTED_THROWS_AFTER_CLOSE, Set.of("acceptedNeverThrows")),
            Map.entry(
                    Defect.CLOSE_TWICE_THROWS,
                    // and every test that closes the channel before the kit closes it after the test
                    Set.of(
                            "closingTwiceIsHarmlessEvenWithoutAStart",
                            "aClosedChannelSendsNothing",
                            "acceptedNeverThrows")),
            Map.entry(Defect.SENDS_AFTER_CLOSE, Set.of("aClosedChannelSendsNothing")));

    @AfterEach
    void reset() {
        Broken.defect = Defect.NONE;
    }

    @ParameterizedTest
    @EnumSource(value = Defect.class, mode = EnumSource.Mode.EXCLUDE, names = "NONE")
    void theKitFailsTheTestsThatSeeTheDefectAndOnlyThose(Defect defect) {
        Broken.defect = defect;

        List<Event> failed = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Broken.class))
                .execute()
                .testEvents()
                .failed()
                .list();

        Set<String> names = failed.stream()
                .map(Event::getTestDescriptor)
                .map(TestDescriptor::getSource)
                .flatMap(source -> source.stream())
                .filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getMethodName())
                .collect(Collectors.toSet());
        assertThat(names).as("the kit's tests that failed for %s", defect).isEqualTo(CAUGHT_BY.get(defect));
    }

    /** The reference channel with {@link #defect} switched on; run only through the engine above. */
    static final class Broken extends ChannelContractTest {

        static volatile Defect defect = Defect.NONE;

        @Override
        protected ChannelFixture createFixture() {
            return new ReferenceFixture(defect);
        }
    }
}
