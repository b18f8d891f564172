package dev.switchboard.channel;

import java.util.Optional;

/**
 * A channel could not do what was asked. Callers act on the two kinds: {@link
 * RetriableChannelException} (trying again later may succeed) and {@link PermanentChannelException}
 * (it never will). Messages name what went wrong and what to do; they never carry a message body,
 * a token or a raw phone number.
 */
public abstract sealed class ChannelException extends RuntimeException
        permits RetriableChannelException, PermanentChannelException {

    private static final long serialVersionUID = 1L;

    private final String providerCode;

    ChannelException(String message, String providerCode, Throwable cause) {
        super(message, cause);
        this.providerCode = providerCode;
    }

    /** The provider's error code ({@code "21610"}), if the provider gave one. */
    public Optional<String> providerCode() {
        return Optional.ofNullable(providerCode);
    }
}
