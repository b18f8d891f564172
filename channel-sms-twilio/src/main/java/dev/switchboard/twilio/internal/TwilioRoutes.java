package dev.switchboard.twilio.internal;

import dev.switchboard.channel.Address;
import dev.switchboard.channel.ConversationKey;
import dev.switchboard.channel.InboundMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Twilio channel's routes: which inbound messages reach the agent ({@code <PREFIX>_ROUTE_TO}, the
 * own numbers it answers; {@code <PREFIX>_ROUTE_FROM}, the senders it answers) and where replies go
 * ({@code <PREFIX>_REPLY_TO}, a fixed number instead of the sender). Immutable.
 */
final class TwilioRoutes {

    private final TwilioChannelProfile profile;
    private final List<Address> numbers;
    private final boolean messagingService;
    private final Set<Address> routeTo;
    private final List<String> routeFrom;
    private final Address replyTo;

    /**
     * @param numbers the channel's own numbers; empty with only a Messaging Service
     * @param messagingService whether a Messaging Service is set, whose pool may hold numbers the
     *     channel was not told of
     * @param routeTo the own numbers answered, all of them if empty
     * @param routeFrom checked {@linkplain #senderPatterns sender patterns}, everyone if empty
     * @param replyTo the fixed recipient of replies, or null
     */
    TwilioRoutes(
            TwilioChannelProfile profile,
            List<Address> numbers,
            boolean messagingService,
            Set<Address> routeTo,
            List<String> routeFrom,
            Address replyTo) {
        this.profile = profile;
        this.numbers = List.copyOf(numbers);
        this.messagingService = messagingService;
        this.routeTo = Set.copyOf(routeTo);
        this.routeFrom = List.copyOf(routeFrom);
        this.replyTo = replyTo;
    }

    /**
     * Checks sender patterns: a phone number in international form (normalised to E.164), or a
     * prefix of one ending in {@code *} ({@code +44*}, {@code +1555*}: a plus, digits, a star).
     *
     * @throws IllegalArgumentException if an entry is neither, naming {@code <PREFIX>_ROUTE_FROM} and
     *     the entry redacted
     */
    static List<String> senderPatterns(TwilioChannelProfile profile, Collection<String> entries) {
        String option = profile.variable("ROUTE_FROM");
        List<String> patterns = new ArrayList<>();
        for (String entry : entries) {
            String value = entry.strip();
            String prefix = profile.addressFormat().prefix();
            if (!prefix.isEmpty() && value.regionMatches(true, 0, prefix, 0, prefix.length())) {
                value = value.substring(prefix.length()).strip();
            }
            if (value.endsWith("*")) {
                String digits = value.substring(0, value.length() - 1);
                if (digits.length() < 2
                        || digits.charAt(0) != '+'
                        || !digits.substring(1).chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException(option + " entries must be phone numbers or prefixes such as"
                            + " +44* (a plus, digits, a star): " + Address.redact(entry.strip()));
                }
                patterns.add(value);
            } else {
                patterns.add(profile.addressFormat().normalize(option, value).value());
            }
        }
        return List.copyOf(patterns);
    }

    /**
     * Why the routes leave {@code message} out, or empty if it is for the agent: sent to a number that
     * is not the channel's (checked only when the channel has numbers and no Messaging Service, whose
     * pool may hold others), to one of its numbers outside {@code <PREFIX>_ROUTE_TO}, or from a sender
     * outside {@code <PREFIX>_ROUTE_FROM}. Numbers are redacted; the text is never named.
     */
    Optional<String> unrouted(InboundMessage message) {
        Address to = message.to();
        if (!numbers.isEmpty() && !messagingService && !numbers.contains(to)) {
            return Optional.of("sent to " + to + ", which is not one of this channel's numbers ("
                    + profile.numberVariable() + ")");
        }
        if (!routeTo.isEmpty() && !routeTo.contains(to)) {
            return Optional.of("sent to " + to + ", which this channel's routes do not answer ("
                    + profile.variable("ROUTE_TO") + ")");
        }
        if (!routeFrom.isEmpty() && !fromAllowed(message.from())) {
            return Optional.of("sent by " + message.from() + ", whom this channel's routes do not answer ("
                    + profile.variable("ROUTE_FROM") + ")");
        }
        return Optional.empty();
    }

    private boolean fromAllowed(Address from) {
        String value = from.value();
        for (String pattern : routeFrom) {
            boolean matches = pattern.endsWith("*")
                    ? value.startsWith(pattern.substring(0, pattern.length() - 1))
                    : value.equals(pattern);
            if (matches) {
                return true;
            }
        }
        return false;
    }

    /** Where replies in {@code conversation} go: {@code <PREFIX>_REPLY_TO} if set, else the counterpart. */
    Address replyAddress(ConversationKey conversation) {
        return replyTo != null ? replyTo : conversation.counterpart();
    }

    /** The fixed recipient of replies, if set. */
    Optional<Address> replyTo() {
        return Optional.ofNullable(replyTo);
    }

    /** Whether any inbound route narrows who reaches the agent. */
    boolean filtersInbound() {
        return !routeTo.isEmpty() || !routeFrom.isEmpty();
    }

    /** The routes for the start-up log: redacted numbers, patterns as configured (prefixes are not secret). */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (!routeTo.isEmpty()) {
            parts.add("answers messages to " + routeTo);
        }
        if (!routeFrom.isEmpty()) {
            parts.add("from "
                    + routeFrom.stream()
                            .map(p -> p.endsWith("*") ? p : Address.redact(p))
                            .toList());
        }
        if (replyTo != null) {
            parts.add("replies go to " + replyTo);
        }
        return String.join(", ", parts);
    }
}
