package io.loadgen.rmi;

import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.RateProfile;
import java.rmi.Remote;
import java.rmi.RemoteException;

/**
 * {@link io.loadgen.core.control.LoadControl} over Java RMI. Arguments and results are the core's immutable
 * Serializable records, nothing else: the server's serial filter admits exactly them. A bad argument fails with an
 * {@link IllegalArgumentException} that says what is allowed. Use {@link RmiLoadControls#connect} to get a plain
 * {@code LoadControl} instead of this interface.
 */
public interface RemoteLoadControl extends Remote {
    /** The name under which the control is bound in the registry. */
    String NAME = "loadgen";

    /** @see io.loadgen.core.control.LoadControl#start() */
    void start() throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#start(RunPlan) */
    void start(RunPlan plan) throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#stop() */
    void stop() throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#setRate(double) */
    void setRate(double perSecond) throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#setProfile(RateProfile) */
    void setProfile(RateProfile profile) throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#setConcurrency(int) */
    void setConcurrency(int sessions) throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#currentRate() */
    double currentRate() throws RemoteException;

    /** @return the newest interval, or {@code null} when there is none */
    IntervalStats latestInterval() throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#window() */
    WindowStats window() throws RemoteException;

    /** @return the summary, or {@code null} before the first run */
    RunSummary summary() throws RemoteException;

    /** @see io.loadgen.core.control.LoadControl#status() */
    RunStatus status() throws RemoteException;
}
