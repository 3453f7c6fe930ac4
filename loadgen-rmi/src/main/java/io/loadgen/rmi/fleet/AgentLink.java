package io.loadgen.rmi.fleet;

import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.RunTotals;
import java.rmi.RemoteException;
import java.util.TreeMap;
import java.util.concurrent.Future;

/** An agent, as the poller keeps it. Guarded by the coordinator's lock, except {@code remote}. */
final class AgentLink {
    /**
     * An interval as received, and its histograms decoded.
     *
     * @param interval what the agent sent
     * @param histograms its histograms, decoded
     */
    record Received(AgentInterval interval, io.loadgen.core.metrics.IntervalHistograms histograms) {
    }

    final AgentEndpoint endpoint;
    final RemoteAgent remote;
    final String id;
    final long offsetNanos;
    final long uncertaintyNanos;
    final int weight;
    /** Intervals received and not yet merged, with their histograms decoded once, by index. */
    final TreeMap<Long, Received> pending = new TreeMap<>();
    RunTotals totals = new RunTotals();
    long lastIndex = -1;
    long lastAnswer;
    RunState state = RunState.IDLE;
    boolean lost;
    Long lostAt;
    String reason;
    String share = "";
    RunSummary summary;
    Future<AgentPoll> inFlight;
    Future<?> stopCall;
    boolean failed;

    AgentLink(AgentEndpoint endpoint, RemoteAgent remote, String id, long offsetNanos, long uncertaintyNanos, int weight) {
        this.endpoint = endpoint;
        this.remote = remote;
        this.id = id;
        this.offsetNanos = offsetNanos;
        this.uncertaintyNanos = uncertaintyNanos;
        this.weight = weight;
    }

    void stopRemote() throws RemoteException {
        remote.stop();
    }

    /**
     * @return whether interval {@code k} may still come from this agent: it is neither lost nor ended (an ended agent
     *     has delivered every interval it will: the poll that said so held them) and has not delivered it yet
     */
    boolean mayDeliver(long k) {
        return !lost && state != RunState.ENDED && !pending.containsKey(k);
    }
}
