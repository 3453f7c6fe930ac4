package io.loadgen.bench.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** An open-loop load tool that can be run at a constant rate against a target, one trial at a time. */
public interface Tool {
    /** @return its name, as in {@code --tools}: "loadgen-lean", "wrk2", "h2load", ... */
    String name();

    /** @return why it cannot run on this machine (binary or class missing), or empty if it can */
    Optional<String> unavailable();

    /**
     * @param trial the measured duration of a trial
     * @return about how long a trial takes beyond that (start-up, calibration, shutdown), for the time budget
     */
    Duration overhead(Duration trial);

    /**
     * Runs one trial.
     *
     * @param target what to load
     * @param rate the constant rate, req/s
     * @param duration the measured duration
     * @param dir the trial's directory for raw output (created)
     * @return what it measured (a failed measurement if it produced no figures)
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted
     */
    Measurement run(Target target, double rate, Duration duration, Path dir) throws IOException, InterruptedException;
}
