package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.channel.Address;
import dev.switchboard.channel.RetriableChannelException;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TwilioHttpTransportTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new HttpConnectTimeoutException("connect timed out"), TwilioHttpFailure.Kind.NOT_SENT),
                Arguments.of(new ConnectException("Connection refused"), TwilioHttpFailure.Kind.NOT_SENT),
                Arguments.of(new UnknownHostException("api.twilio.com"), TwilioHttpFailure.Kind.NOT_SENT),
                Arguments.of(new SSLHandshakeException("PKIX path building failed"), TwilioHttpFailure.Kind.NOT_SENT),
                Arguments.of(new HttpTimeoutException("request timed out"), TwilioHttpFailure.Kind.NO_ANSWER),
                Arguments.of(new IOException("Connection reset"), TwilioHttpFailure.Kind.NO_ANSWER),
                Arguments.of(new EOFException("EOF reached while reading"), TwilioHttpFailure.Kind.NO_ANSWER));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void tellsFailuresBeforeTheRequestLeftFromFailuresAfter(IOException failure, TwilioHttpFailure.Kind expected) {
        TwilioHttpFailure classified = TwilioHttpTransport.classify(failure, Duration.ofSeconds(30));

        assertThat(classified.kind()).isEqualTo(expected);
        assertThat(classified).hasCause(failure);
        RetriableChannelException mapped = (RetriableChannelException)
                new TwilioErrors(new ObjectMapper(), Map.of()).map(classified, Address.of("+15557654321"));
        assertThat(mapped.mayHaveBeenProcessed()).isEqualTo(expected == TwilioHttpFailure.Kind.NO_ANSWER);
    }

    @ParameterizedTest
    @CsvSource({
        "http://127.0.0.1:41234, https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json,"
                + " http://127.0.0.1:41234/2010-04-01/Accounts/AC1/Messages.json",
        "http://127.0.0.1:41234/, https://messaging.twilio.com/v1/Services?PageSize=50,"
                + " http://127.0.0.1:41234/v1/Services?PageSize=50",
        "https://proxy.example.com/twilio, https://content.twilio.com/v1/Content/HX1?a=b%20c,"
                + " https://proxy.example.com/twilio/v1/Content/HX1?a=b%20c",
    })
    void rewritesSchemeHostAndPortKeepingPathAndQuery(String base, String original, String expected) {
        assertThat(TwilioHttpTransport.rewrite(URI.create(base), URI.create(original)))
                .isEqualTo(URI.create(expected));
    }

    @ParameterizedTest
    @CsvSource({
        "0, PT0S",
        "120, PT2M",
        "'Sun, 01 Mar 2026 12:00:05 GMT', PT5S",
        "'Sun, 01 Mar 2026 11:00:00 GMT', PT0S",
    })
    void parsesRetryAfter(String header, Duration expected) {
        TwilioHttpTransport transport = new TwilioHttpTransport(
                null,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC));
        try (transport) {
            assertThat(transport.parseRetryAfter(header)).isEqualTo(expected);
            assertThat(transport.parseRetryAfter("soon")).isNull();
            assertThat(transport.parseRetryAfter("-5")).isNull();
        }
    }
}
