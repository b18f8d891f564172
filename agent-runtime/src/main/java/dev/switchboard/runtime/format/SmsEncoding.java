package dev.switchboard.runtime.format;

/** The alphabet an SMS travels in, which decides how many characters fit in one segment. */
public enum SmsEncoding {
    /**
     * The GSM 03.38 7-bit default alphabet: 160 septets in a single segment, 153 per segment of a
     * concatenated message; characters of its extension table cost two septets.
     */
    GSM_7(160, 153),
    /**
     * UCS-2, used as soon as one character falls outside GSM-7: 70 UTF-16 code units in a single
     * segment, 67 per segment of a concatenated message.
     */
    UCS_2(70, 67);

    private final int singleSegmentUnits;
    private final int multiSegmentUnits;

    SmsEncoding(int singleSegmentUnits, int multiSegmentUnits) {
        this.singleSegmentUnits = singleSegmentUnits;
        this.multiSegmentUnits = multiSegmentUnits;
    }

    /** How many units (septets or UTF-16 code units) a message of one segment may hold. */
    public int singleSegmentUnits() {
        return singleSegmentUnits;
    }

    /**
     * How many units each segment of a concatenated message holds (the rest of the segment carries
     * the concatenation header).
     */
    public int multiSegmentUnits() {
        return multiSegmentUnits;
    }
}
