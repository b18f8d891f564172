package dev.switchboard.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.channel.DeliveryReceipt;
import dev.switchboard.runtime.RuntimeListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records push outcomes, for tests to wait on. */
public final class OutcomeRecorder implements RuntimeListener {

    private final BlockingQueue<PushOutcome> outcomes = new LinkedBlockingQueue<>();
    private final BlockingQueue<DeliveryReceipt> receipts = new LinkedBlockingQueue<>();
    private final List<PushOutcome> taken = new ArrayList<>();

    @Override
    public void onPushOutcome(PushOutcome outcome) {
        outcomes.add(outcome);
    }

    @Override
    public void onReceipt(DeliveryReceipt receipt) {
        receipts.add(receipt);
    }

    /**
     * The next delivery report the runtime handed on, waiting up to 5 seconds for it; the runtime has
     * applied it to its push by then.
     */
    public DeliveryReceipt nextReceipt() throws InterruptedException {
        DeliveryReceipt receipt = receipts.poll(5, TimeUnit.SECONDS);
        assertThat(receipt).as("a delivery report within 5 s").isNotNull();
        return receipt;
    }

    /** The next outcome, waiting up to 5 seconds for it. */
    public synchronized PushOutcome next() throws InterruptedException {
        PushOutcome outcome = outcomes.poll(5, TimeUnit.SECONDS);
        assertThat(outcome).as("a push outcome within 5 s; had %s", taken).isNotNull();
        taken.add(outcome);
        return outcome;
    }

    /** The outcomes not taken yet, without waiting. */
    public synchronized List<PushOutcome> drain() {
        List<PushOutcome> rest = new ArrayList<>();
        outcomes.drainTo(rest);
        taken.addAll(rest);
        return rest;
    }
}
