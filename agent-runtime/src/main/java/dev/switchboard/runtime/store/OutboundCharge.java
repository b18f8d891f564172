package dev.switchboard.runtime.store;

/**
 * The answer of {@link Store#charge}: whether a part fits its recipient's outbound cap.
 *
 * @param admitted whether the part was charged (it may be sent)
 * @param chargedBefore what the recipient had been charged within the window, without this part
 * @param id the charge, for {@link Store#refund}; 0 when refused
 */
public record OutboundCharge(boolean admitted, long chargedBefore, long id) {}
