package io.loadgen.rmi.fleet;

import io.loadgen.core.control.RunState;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * An agent's answer to its coordinator's poll, which also renews the lease. Immutable.
 *
 * @param state the agent's run state
 * @param intervals the intervals published since the one the poll named, oldest first
 * @param failureText why the run failed or ended early on the agent (a lease that lapsed, a start too late), or
 *     null (a field of a Serializable record: {@code Optional} is not)
 */
public record AgentPoll(RunState state, List<AgentInterval> intervals, String failureText) implements Serializable {
    public AgentPoll {
        intervals = List.copyOf(intervals);
    }

    /** @return why the run failed or ended early on the agent, if it did */
    public Optional<String> failure() {
        return Optional.ofNullable(failureText);
    }
}
