package dev.switchboard.channel;

/**
 * The shape of a provider's message ids, which a host may use to remember many of them compactly
 * (to recognise a provider's retry of a webhook): a fixed number of capital ASCII letters followed by
 * a fixed number of lower-case hexadecimal digits. Twilio's sids ({@code SM…}, {@code MM…}) are two
 * letters and 32 digits. Ids of any other form, or of a channel whose shape is {@link #OPAQUE}, are
 * remembered just as reliably, by a hash of the whole id.
 *
 * @param letters how many capital letters come first, 0 or more
 * @param hexDigits how many lower-case hexadecimal digits follow, 0 or more; 0 with 0 letters is
 *     {@link #OPAQUE}
 */
public record MessageIdShape(int letters, int hexDigits) {

    /** Ids of no particular shape. */
    public static final MessageIdShape OPAQUE = new MessageIdShape(0, 0);

    public MessageIdShape {
        if (letters < 0 || hexDigits < 0) {
            throw new IllegalArgumentException(
                    "a message id shape needs 0 or more letters and digits: " + letters + ", " + hexDigits);
        }
    }

    /** Capital letters followed by lower-case hexadecimal digits, as many of each as given. */
    public static MessageIdShape lettersThenHex(int letters, int hexDigits) {
        if (hexDigits == 0) {
            throw new IllegalArgumentException("a shaped message id needs at least one hex digit");
        }
        return new MessageIdShape(letters, hexDigits);
    }

    /** Whether ids have no particular shape. */
    public boolean isOpaque() {
        return hexDigits == 0;
    }

    /** Whether {@code id} has this shape; never true when {@linkplain #isOpaque() opaque}. */
    public boolean matches(String id) {
        if (isOpaque() || id.length() != letters + hexDigits) {
            return false;
        }
        for (int i = 0; i < letters; i++) {
            char c = id.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        for (int i = letters; i < id.length(); i++) {
            char c = id.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }
}
