package io.loadgen.core.metrics;

import org.HdrHistogram.Histogram;

/** Adds up the measured intervals of a run, for its summary. Not thread-safe: the interval clock alone feeds it. */
public final class RunTotals {
    private final Histogram latency = Spans.newHistogram();
    private final Histogram service = Spans.newHistogram();
    private final Histogram lag = Spans.newHistogram();
    private Counts counts = Counts.ZERO;
    private long completedBeforeEnd;
    private long intervals;

    /**
     * Adds one interval.
     *
     * @param intervalCounts its counts
     * @param h its histograms
     * @param completedBeforeScheduleEnd its requests that ended before scheduling ended
     */
    public void add(Counts intervalCounts, IntervalHistograms h, long completedBeforeScheduleEnd) {
        counts = counts.plus(intervalCounts);
        latency.add(h.latency());
        service.add(h.serviceTime());
        lag.add(h.sendLag());
        completedBeforeEnd += completedBeforeScheduleEnd;
        intervals++;
    }

    /** @return the counts so far */
    public Counts counts() {
        return counts;
    }

    /** @return requests that ended before scheduling ended, so far */
    public long completedBeforeEnd() {
        return completedBeforeEnd;
    }

    /** @return the number of intervals added */
    public long intervals() {
        return intervals;
    }

    /** @return latency from the intended send time, over the whole run so far */
    public LatencySummary latency() {
        return LatencySummary.of(latency);
    }

    /** @return service time, over the whole run so far */
    public LatencySummary serviceTime() {
        return LatencySummary.of(service);
    }

    /** @return send lag, over the whole run so far */
    public LatencySummary sendLag() {
        return LatencySummary.of(lag);
    }

    /** @return a copy of the run's latency histogram, in microseconds */
    public Histogram latencyHistogram() {
        return latency.copy();
    }
}
