package io.loadgen.rmi.fleet;

import io.loadgen.rmi.RemoteLoadControl;
import java.rmi.RemoteException;

/**
 * A load agent over RMI: a {@link RemoteLoadControl} (so {@code loadgen ctl} can look at one) that runs what a
 * coordinator sends and streams its intervals back. Only the records of this package, the core's plan and profile
 * records and the JDK types they hold cross to the agent (its serial filter, {@link io.loadgen.rmi.SerialFilters#AGENT}).
 */
public interface RemoteAgent extends RemoteLoadControl {
    /** @return who the agent is */
    AgentHello hello() throws RemoteException;

    /** @return the agent's wall clock now, nanoseconds since the epoch, for the coordinator's offset estimate */
    long wallClockNanos() throws RemoteException;

    /**
     * Builds the workload from the flags and starts the run at its start time, with a lease.
     *
     * @param start what to run
     * @throws IllegalArgumentException for flags the agent cannot run (naming the flag) or a start time too far off
     * @throws IllegalStateException if a run is going on
     */
    void startShare(AgentStart start) throws RemoteException;

    /**
     * Renews the lease and takes the intervals published since {@code afterIndex}.
     *
     * @param afterIndex the newest interval the coordinator holds, or -1
     * @return the state and the newer intervals
     */
    AgentPoll poll(long afterIndex) throws RemoteException;
}
