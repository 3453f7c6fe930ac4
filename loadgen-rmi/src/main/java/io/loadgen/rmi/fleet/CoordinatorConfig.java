package io.loadgen.rmi.fleet;

import io.loadgen.core.schedule.ArrivalShare;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the coordinator runs its agents. Immutable; built with {@link #builder}.
 *
 * @param agents the agents, at least one
 * @param weights each agent's weight (the share of the load it takes), {@code >= 1} each; default 1 each
 * @param token the agents' shared token, if they have one
 * @param tls whether the agents serve over TLS
 * @param runArgs the {@code loadgen run} flags each agent builds its workload from
 * @param target the target, for the status and the summary
 * @param interval the agents' interval ({@code recordInterval}): they must all use this one
 * @param windowSize intervals in the sliding window, {@code >= 1}
 * @param lead how far ahead the common start is, so that every agent is ready for it (self-warm and connections
 *     included); default 5 s
 * @param lease how long an agent keeps its load going without a poll; default 3 intervals, at least 3 s
 * @param onLoss what a lost agent does to the run; default {@link OnAgentLoss#ABORT}
 * @param maxClockUncertainty the most uncertain clock offset accepted (half the best round trip); default 50 ms
 */
public record CoordinatorConfig(List<AgentEndpoint> agents, List<Integer> weights, Optional<String> token, boolean tls,
        List<String> runArgs, String target, Duration interval, int windowSize, Duration lead, Duration lease,
        OnAgentLoss onLoss, Duration maxClockUncertainty) {
    public CoordinatorConfig {
        agents = List.copyOf(agents);
        weights = List.copyOf(weights);
        runArgs = List.copyOf(runArgs);
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("a coordinator needs at least one agent");
        }
        if (weights.size() != agents.size()) {
            throw new IllegalArgumentException(agents.size() + " agents need as many weights, got " + weights);
        }
        ArrivalShare.split(weights); // checks them
        if (windowSize < 1 || interval.isNegative() || interval.isZero() || lead.isNegative()
                || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("bad coordinator timing: interval " + interval + ", window "
                    + windowSize + ", lead " + lead + ", lease " + lease);
        }
    }

    /**
     * @param agents the agents
     * @param runArgs the workload's flags
     * @param target the target
     * @param interval the agents' interval
     * @return a builder with the defaults
     */
    public static Builder builder(List<AgentEndpoint> agents, List<String> runArgs, String target, Duration interval) {
        return new Builder(agents, runArgs, target, interval);
    }

    /** Builds a {@link CoordinatorConfig}; the defaults are those of {@link Config}. */
    public static final class Builder {
        private final List<AgentEndpoint> agents;
        private final List<String> runArgs;
        private final String target;
        private final Duration interval;
        private List<Integer> weights;
        private Optional<String> token = Optional.empty();
        private boolean tls;
        private int windowSize = 10;
        private Duration lead = Duration.ofSeconds(5);
        private Duration lease;
        private OnAgentLoss onLoss = OnAgentLoss.ABORT;
        private Duration maxClockUncertainty = Duration.ofMillis(50);

        private Builder(List<AgentEndpoint> agents, List<String> runArgs, String target, Duration interval) {
            this.agents = List.copyOf(agents);
            this.runArgs = List.copyOf(runArgs);
            this.target = target;
            this.interval = interval;
            this.weights = agents.stream().map(a -> 1).toList();
        }

        /** @param w each agent's weight */
        public Builder weights(List<Integer> w) {
            this.weights = List.copyOf(w);
            return this;
        }

        /** @param t the agents' token, or empty */
        public Builder token(Optional<String> t) {
            this.token = t;
            return this;
        }

        /** @param b whether the agents serve over TLS */
        public Builder tls(boolean b) {
            this.tls = b;
            return this;
        }

        /** @param n intervals in the sliding window */
        public Builder windowSize(int n) {
            this.windowSize = n;
            return this;
        }

        /** @param d how far ahead the common start is */
        public Builder lead(Duration d) {
            this.lead = d;
            return this;
        }

        /** @param d the agents' lease */
        public Builder lease(Duration d) {
            this.lease = d;
            return this;
        }

        /** @param o what a lost agent does to the run */
        public Builder onLoss(OnAgentLoss o) {
            this.onLoss = o;
            return this;
        }

        /** @param d the most uncertain clock offset accepted */
        public Builder maxClockUncertainty(Duration d) {
            this.maxClockUncertainty = d;
            return this;
        }

        /** @return the config */
        public CoordinatorConfig build() {
            Duration three = interval.multipliedBy(3);
            Duration l = lease != null ? lease : three.compareTo(Duration.ofSeconds(3)) >= 0 ? three
                    : Duration.ofSeconds(3);
            return new CoordinatorConfig(agents, weights, token, tls, runArgs, target, interval, windowSize, lead, l, onLoss,
                    maxClockUncertainty);
        }
    }
}
