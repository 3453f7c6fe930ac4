package io.loadgen.rmi.fleet;

import io.loadgen.core.engine.RunPlan;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What a coordinator tells an agent to run. Immutable.
 *
 * @param coordinator who sends it, for the agent's log
 * @param runArgs the {@code loadgen run} flags that make the workload (target, payload, headers, checks,
 *     transport, engine settings), as the coordinator was given them; each agent reads payload files from its own
 *     disk
 * @param plan the schedule, with this agent's share of it ({@link RunPlan#share()}) or its closed-loop sessions
 * @param startWallNanos when the run's clock starts, as nanoseconds since the epoch on the agent's own clock (the
 *     coordinator has corrected for the agent's offset)
 * @param lease how long the agent keeps its load going without hearing from the coordinator, {@code > 0}
 * @param interval the coordinator's interval: the agent refuses to run with another
 */
public record AgentStart(String coordinator, List<String> runArgs, RunPlan plan, long startWallNanos, Duration lease,
        Duration interval) implements Serializable {
    public AgentStart {
        runArgs = List.copyOf(runArgs);
        if (lease == null || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("an agent's lease must be > 0, got " + lease);
        }
    }
}
