package io.loadgen.core.control;

import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.RateProfile;
import java.util.Optional;

/**
 * The one control surface of a load generator, used alike by the command line, the dashboard and remote
 * controllers. Every method is thread-safe and returns promptly: none waits on the network or the scheduler
 * except {@link #stop()}, which waits for the run to drain (bounded by the drain timeout). Values returned are
 * immutable and Serializable.
 */
public interface LoadControl {

    /**
     * Starts a run with the current plan (the last one started, with any rate change since).
     *
     * @throws IllegalStateException if a run is going on
     */
    void start();

    /**
     * Starts a run with this plan.
     *
     * @throws IllegalStateException if a run is going on
     */
    void start(RunPlan plan);

    /** Ends the run going on, if any: scheduling stops at once, then queued and in-flight requests finish. */
    void stop();

    /**
     * Holds a constant rate from now on (the same as {@code setProfile(new ConstantRate(perSecond))}). Takes effect at
     * once: a gap planned at the old rate is re-planned. When no run is going on it sets the next run's rate.
     *
     * @param perSecond requests per second, finite, in {@code [0, RateProfile.MAX_RATE]}
     * @throws IllegalArgumentException naming the allowed range
     */
    void setRate(double perSecond);

    /**
     * Puts a rate profile in force from now on; its clock starts now. When no run is going on it sets the next
     * run's profile.
     *
     * @throws IllegalArgumentException if {@code profile} is null
     */
    void setProfile(RateProfile profile);

    /**
     * Sets the number of closed-loop sessions from now on: new sessions send at once, surplus ones stop after their
     * request in flight. When no run is going on it sets the next run's (if it is closed-loop).
     *
     * @param sessions in {@code [1, RunPlan.MAX_CONCURRENCY]}
     * @throws IllegalArgumentException naming the allowed range
     * @throws IllegalStateException if the run (or the next one) is open-loop
     */
    void setConcurrency(int sessions);

    /** @return the rate asked for now, requests per second */
    double currentRate();

    /** @return the newest closed interval of the current or last run, if any */
    Optional<IntervalStats> latestInterval();

    /** @return the sliding window of the current or last run */
    WindowStats window();

    /** @return the summary of the current run so far, or of the last run; {@code null} before the first run */
    RunSummary summary();

    /** @return state, target, profile and uptime */
    RunStatus status();
}
