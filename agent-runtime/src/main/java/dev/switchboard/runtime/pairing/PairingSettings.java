package dev.switchboard.runtime.pairing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How pairing behaves on a channel. Start from {@link #defaults()} and change what differs:
 *
 * <pre>{@code
 * builder.pairing("sms", PairingSettings.defaults().withOnboardingMessage("Hi! The owner was asked to let you in."));
 * }</pre>
 *
 * @param onboardingMessage what a sender who is not allowed is told, at most once every {@code
 *     onboardingInterval}; default {@link #DEFAULT_ONBOARDING_MESSAGE}
 * @param approvedMessage what a sender is told once approved; default {@link #DEFAULT_APPROVED_MESSAGE}
 * @param codeTtl how long a code works; default one hour
 * @param maxPending how many requests may wait on the channel at once; past that, new senders get
 *     no code and no text (logged); default 10
 * @param onboardingInterval the least time between two onboarding texts to one sender; default one
 *     hour
 * @param maxWrongCodes how many wrong codes from the home address within {@code wrongCodeWindow}
 *     lock approvals by text; default 5
 * @param wrongCodeWindow the window wrong codes are counted in; default 15 minutes
 * @param lockout how long approvals by text stay locked; default 15 minutes
 */
public record PairingSettings(
        String onboardingMessage,
        String approvedMessage,
        Duration codeTtl,
        int maxPending,
        Duration onboardingInterval,
        int maxWrongCodes,
        Duration wrongCodeWindow,
        Duration lockout) {

    /** The default onboarding text. */
    public static final String DEFAULT_ONBOARDING_MESSAGE = "Hi! This number only talks to people its owner approved."
            + " The owner was just asked to approve you; you will get a text here once they do.";

    /** The default text to an approved sender. */
    public static final String DEFAULT_APPROVED_MESSAGE =
            "Good news: the owner approved you, and you may now talk to the agent here. Go ahead!";

    /**
     * @throws IllegalArgumentException if a text is blank, a duration not positive, or a count not at
     *     least 1 (the message names the setting and the value)
     */
    public PairingSettings {
        requireNonNull(onboardingMessage, "onboardingMessage");
        requireNonNull(approvedMessage, "approvedMessage");
        requireNonNull(codeTtl, "codeTtl");
        requireNonNull(onboardingInterval, "onboardingInterval");
        requireNonNull(wrongCodeWindow, "wrongCodeWindow");
        requireNonNull(lockout, "lockout");
        if (onboardingMessage.isBlank()) {
            throw new IllegalArgumentException("pairing onboardingMessage cannot be blank");
        }
        if (approvedMessage.isBlank()) {
            throw new IllegalArgumentException("pairing approvedMessage cannot be blank");
        }
        positive("codeTtl", codeTtl);
        positive("onboardingInterval", onboardingInterval);
        positive("wrongCodeWindow", wrongCodeWindow);
        positive("lockout", lockout);
        if (maxPending < 1) {
            throw new IllegalArgumentException("pairing maxPending must be at least 1: " + maxPending);
        }
        if (maxWrongCodes < 1) {
            throw new IllegalArgumentException("pairing maxWrongCodes must be at least 1: " + maxWrongCodes);
        }
    }

    /** The defaults: codes for an hour, 10 pending at most, 5 wrong codes in 15 minutes lock for 15 minutes. */
    public static PairingSettings defaults() {
        return new PairingSettings(
                DEFAULT_ONBOARDING_MESSAGE,
                DEFAULT_APPROVED_MESSAGE,
                Duration.ofHours(1),
                10,
                Duration.ofHours(1),
                5,
                Duration.ofMinutes(15),
                Duration.ofMinutes(15));
    }

    /** These settings with another onboarding text. */
    public PairingSettings withOnboardingMessage(String text) {
        return new PairingSettings(
                text,
                approvedMessage,
                codeTtl,
                maxPending,
                onboardingInterval,
                maxWrongCodes,
                wrongCodeWindow,
                lockout);
    }

    /** These settings with another text for an approved sender. */
    public PairingSettings withApprovedMessage(String text) {
        return new PairingSettings(
                onboardingMessage,
                text,
                codeTtl,
                maxPending,
                onboardingInterval,
                maxWrongCodes,
                wrongCodeWindow,
                lockout);
    }

    /** These settings with codes that work for {@code ttl}. */
    public PairingSettings withCodeTtl(Duration ttl) {
        return new PairingSettings(
                onboardingMessage,
                approvedMessage,
                ttl,
                maxPending,
                onboardingInterval,
                maxWrongCodes,
                wrongCodeWindow,
                lockout);
    }

    /** These settings with at most {@code max} requests waiting on the channel. */
    public PairingSettings withMaxPending(int max) {
        return new PairingSettings(
                onboardingMessage,
                approvedMessage,
                codeTtl,
                max,
                onboardingInterval,
                maxWrongCodes,
                wrongCodeWindow,
                lockout);
    }

    /** These settings with at most one onboarding text to a sender every {@code interval}. */
    public PairingSettings withOnboardingInterval(Duration interval) {
        return new PairingSettings(
                onboardingMessage,
                approvedMessage,
                codeTtl,
                maxPending,
                interval,
                maxWrongCodes,
                wrongCodeWindow,
                lockout);
    }

    /** These settings with approvals by text locked for {@code lockout} after {@code maxWrong} wrong codes within {@code window}. */
    public PairingSettings withLockout(int maxWrong, Duration window, Duration lockout) {
        return new PairingSettings(
                onboardingMessage, approvedMessage, codeTtl, maxPending, onboardingInterval, maxWrong, window, lockout);
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("pairing " + name + " must be positive: " + value);
        }
    }
}
