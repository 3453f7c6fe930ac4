package io.loadgen.core.metrics;

/**
 * Receives each interval as it closes, on the recorder's thread: return quickly and do not block.
 */
@FunctionalInterface
public interface IntervalListener {
    /**
     * @param stats the interval's figures
     * @param histograms the interval's histograms, read-only
     */
    void onInterval(IntervalStats stats, IntervalHistograms histograms);
}
