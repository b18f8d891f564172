package dev.switchboard.twilio.internal;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The MIME types of media Twilio takes on a channel, to check an outbound message's media before a
 * request. Immutable.
 *
 * @param types the accepted types, lower case, without parameters
 */
public record TwilioMediaTypes(Set<String> types) {

    /**
     * MMS: every type Twilio's "Accepted content types for media"
     * (twilio.com/docs/messaging/guides/accepted-mime-types) lists, those it formats for the device
     * (JPEG, GIF, PNG) and those it passes on unchanged.
     */
    public static final TwilioMediaTypes MMS = new TwilioMediaTypes(Set.of(
            "image/jpeg",
            "image/jpg",
            "image/gif",
            "image/png",
            "image/bmp",
            "audio/basic",
            "audio/l24",
            "audio/mp4",
            "audio/mpeg",
            "audio/ogg",
            "audio/vorbis",
            "audio/vnd.rn-realaudio",
            "audio/vnd.wave",
            "audio/3gpp",
            "audio/3gpp2",
            "audio/ac3",
            "audio/webm",
            "audio/amr-nb",
            "audio/amr",
            "video/mpeg",
            "video/mp4",
            "video/quicktime",
            "video/webm",
            "video/3gpp",
            "video/3gpp2",
            "video/3gpp-tt",
            "video/h261",
            "video/h263",
            "video/h263-1998",
            "video/h263-2000",
            "video/h264",
            "text/vcard",
            "text/csv",
            "text/rtf",
            "text/richtext",
            "text/calendar",
            "text/directory",
            "application/pdf"));

    /**
     * WhatsApp: the formats of Twilio's "Guidance on WhatsApp Media Messages"
     * (twilio.com/docs/whatsapp/guidance-whatsapp-media-messages), as MIME types; WebP is left out,
     * since WhatsApp takes it for stickers only.
     */
    public static final TwilioMediaTypes WHATSAPP = new TwilioMediaTypes(Set.of(
            "image/jpeg",
            "image/jpg",
            "image/png",
            "audio/ogg",
            "audio/opus",
            "audio/amr",
            "audio/3gpp",
            "audio/aac",
            "audio/mpeg",
            "video/mp4",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text/vcard",
            "text/x-vcard"));

    public TwilioMediaTypes {
        types = Set.copyOf(types);
    }

    /** Whether {@code contentType} (parameters and case ignored) is one of the types. */
    public boolean accepts(String contentType) {
        requireNonNull(contentType, "contentType");
        return types.contains(TwilioMediaReader.mediaType(contentType));
    }
}
