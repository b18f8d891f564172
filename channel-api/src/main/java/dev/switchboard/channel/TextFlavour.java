package dev.switchboard.channel;

/** How a channel shows formatted text, and so how markdown must be rendered for it. */
public enum TextFlavour {
    /** Plain text: no markup is rendered, so none may be left in the text (SMS). */
    PLAIN,
    /** WhatsApp's own markup: {@code *bold*}, {@code _italic_}, {@code ~strike~}, monospace. */
    WHATSAPP
}
