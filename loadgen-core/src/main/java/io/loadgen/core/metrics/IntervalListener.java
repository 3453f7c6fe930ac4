package io.loadgen.core.metrics;

import java.time.Duration;

/**
 * Receives each interval once every request of it is accounted for, on the interval clock's thread: return quickly
 * and do not block. An interval is published when its requests have all ended, so a slow target delays it;
 * {@link #onWaiting} says so meanwhile.
 */
@FunctionalInterface
public interface IntervalListener {
    /**
     * @param stats the interval's figures
     * @param histograms the interval's histograms, read-only
     */
    void onInterval(IntervalStats stats, IntervalHistograms histograms);

    /**
     * An interval that ended more than one interval ago still has requests in flight (or waiting in the client), so
     * it is not published yet. Called at most once per interval length while that lasts.
     *
     * @param waiting what is awaited
     */
    default void onWaiting(Waiting waiting) {
    }

    /**
     * What a run waits for before it can publish its next interval.
     *
     * @param interval the oldest interval not yet published
     * @param elapsed time since the run's start
     * @param inFlight requests in flight now
     * @param queued requests waiting in the client now
     */
    record Waiting(long interval, Duration elapsed, int inFlight, int queued) {
    }
}
