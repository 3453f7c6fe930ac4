package io.loadgen.rmi;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.RateProfile;
import java.util.Objects;

/**
 * Serves a {@link LoadControl} over RMI: checks every argument (with a message saying what is allowed) and delegates.
 * Runs on RMI's own threads: the engine's scheduler never waits on a caller.
 */
class RemoteLoadControlImpl implements RemoteLoadControl {
    private final LoadControl control;

    RemoteLoadControlImpl(LoadControl control) {
        this.control = Objects.requireNonNull(control);
    }

    @Override
    public void start() {
        control.start();
    }

    @Override
    public void start(RunPlan plan) {
        if (plan == null) {
            throw new IllegalArgumentException("a run plan is required (profile, arrival, seed, duration)");
        }
        control.start(plan);
    }

    @Override
    public void stop() {
        control.stop();
    }

    @Override
    public void setRate(double perSecond) {
        control.setRate(RateProfile.checkRate("rate", perSecond));
    }

    @Override
    public void setProfile(RateProfile profile) {
        if (profile == null) {
            throw new IllegalArgumentException("a profile is required: constant, steps, ramp, sine or trace");
        }
        control.setProfile(profile);
    }

    @Override
    public void setConcurrency(int sessions) {
        control.setConcurrency(sessions);
    }

    @Override
    public double currentRate() {
        return control.currentRate();
    }

    @Override
    public IntervalStats latestInterval() {
        return control.latestInterval().orElse(null);
    }

    @Override
    public WindowStats window() {
        return control.window();
    }

    @Override
    public RunSummary summary() {
        return control.summary();
    }

    @Override
    public RunStatus status() {
        return control.status();
    }
}
