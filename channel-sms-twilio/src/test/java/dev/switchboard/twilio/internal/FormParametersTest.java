package dev.switchboard.twilio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormParametersTest {

    private static FormParameters parse(String body) {
        return FormParameters.parse(body.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesInArrivalOrderWithRepeatedNames() {
        FormParameters params = parse("b=2&a=1&b=3&c=");

        assertThat(params.asMap())
                .containsExactly(
                        Map.entry("b", List.of("2", "3")), Map.entry("a", List.of("1")), Map.entry("c", List.of("")));
        assertThat(params.first("b")).contains("2");
        assertThat(params.all("b")).containsExactly("2", "3");
        assertThat(params.first("missing")).isEmpty();
        assertThat(params.all("missing")).isEmpty();
    }

    @Test
    void decodesPlusPercentEscapesAndUtf8() {
        FormParameters params = parse("Body=Hi+there%21+%F0%9F%98%80+caf%C3%A9%2B1&From=%2B15557654321&Empty");

        assertThat(params.first("Body")).contains("Hi there! \uD83D\uDE00 café+1");
        assertThat(params.first("From")).contains("+15557654321");
        assertThat(params.first("Empty")).contains("");
    }

    @Test
    void skipsEmptySegmentsAndKeepsEqualsSignsInValues() {
        FormParameters params = parse("&a=1&&b=x=y&");

        assertThat(params.asMap()).containsOnlyKeys("a", "b");
        assertThat(params.first("b")).contains("x=y");
    }

    @Test
    void anEmptyBodyHasNoParameters() {
        assertThat(FormParameters.parse(new byte[0]).isEmpty()).isTrue();
    }

    @Test
    void acceptsRawUtf8Bytes() {
        FormParameters params = FormParameters.parse("Body=café".getBytes(StandardCharsets.UTF_8));

        assertThat(params.first("Body")).contains("café");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Body=100%", "Body=%4", "Body=%zz", "Body=%G0", "Body=50%+off", "Bo%dy=1"})
    void refusesMalformedPercentEscapes(String body) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageContaining("bad percent-escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Body=%C3%28", "Body=%FF", "Body=%ED%A0%80", "Body=%F0%9F%98", "%C3=1"})
    void refusesInvalidUtf8(String body) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageContaining("invalid UTF-8");
    }

    @Test
    void refusesInvalidRawBytes() {
        byte[] body = {'B', 'o', 'd', 'y', '=', (byte) 0xC3, '(', 'x'};

        assertThatThrownBy(() -> FormParameters.parse(body))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessage("malformed form body: invalid UTF-8 (in the value of Body)");
    }

    @Test
    void theReasonNamesTheParameterButNeverQuotesTheData() {
        assertThatThrownBy(() -> parse("From=%2B1555&Body=secret+text+%ZZ"))
                .hasMessage("malformed form body: bad percent-escape at byte 30 (in the value of Body)")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parse("x%20y=%C3%28"))
                .hasMessage("malformed form body: invalid UTF-8 (in a parameter value)");
    }

    @Test
    void toStringShowsNamesOnly() {
        assertThat(parse("From=%2B15557654321&Body=hello")).asString().isEqualTo("FormParameters[From, Body]");
    }

    @Test
    void ofCopiesTheValues() {
        FormParameters params = FormParameters.of(Map.of("a", List.of("1", "2")));

        assertThat(params.all("a")).containsExactly("1", "2");
        assertThatThrownBy(() -> params.asMap().put("b", List.of())).isInstanceOf(UnsupportedOperationException.class);
    }
}
