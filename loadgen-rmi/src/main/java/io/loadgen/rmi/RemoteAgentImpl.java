package io.loadgen.rmi;

import io.loadgen.rmi.fleet.Agent;
import io.loadgen.rmi.fleet.AgentHello;
import io.loadgen.rmi.fleet.AgentPoll;
import io.loadgen.rmi.fleet.AgentStart;
import io.loadgen.rmi.fleet.RemoteAgent;

/** Serves an {@link Agent} over RMI: its {@code LoadControl} as any engine's, and the coordinator's calls. */
final class RemoteAgentImpl extends RemoteLoadControlImpl implements RemoteAgent {
    private final Agent agent;

    RemoteAgentImpl(Agent agent) {
        super(agent);
        this.agent = agent;
    }

    @Override
    public AgentHello hello() {
        return agent.hello();
    }

    @Override
    public long wallClockNanos() {
        return Agent.wallClockNanos();
    }

    @Override
    public void startShare(AgentStart start) {
        if (start == null || start.plan() == null) {
            throw new IllegalArgumentException("a start needs a plan");
        }
        agent.startShare(start);
    }

    @Override
    public AgentPoll poll(long afterIndex) {
        return agent.poll(afterIndex);
    }
}
