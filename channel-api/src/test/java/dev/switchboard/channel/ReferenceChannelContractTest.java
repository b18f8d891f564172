package dev.switchboard.channel;

import dev.switchboard.channel.testkit.ChannelContractTest;
import dev.switchboard.channel.testkit.ChannelFixture;

/** A channel written to the contract passes the kit; {@link ContractKitTest} breaks it. */
class ReferenceChannelContractTest extends ChannelContractTest {

    @Override
    protected ChannelFixture createFixture() {
        return new ReferenceFixture(ReferenceChannel.Defect.NONE);
    }
}
