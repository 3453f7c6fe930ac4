package io.loadgen.core.metrics;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Makes one span of several intervals: counts added, percentiles taken from their merged histograms. */
final class Spans {
    private Spans() {
    }

    /** @return an empty, self-resizing histogram of microseconds */
    static Histogram newHistogram() {
        return Recorder.newHistogram();
    }

    /**
     * @param intervals at least one interval, oldest first
     * @param merged the sum of their histograms
     * @return the span they cover together
     */
    static IntervalStats span(List<IntervalStats> intervals, IntervalHistograms merged) {
        Counts counts = Counts.ZERO;
        Duration length = Duration.ZERO;
        for (IntervalStats s : intervals) {
            counts = counts.plus(s.counts());
            length = length.plus(s.length());
        }
        IntervalStats first = intervals.get(0);
        IntervalStats last = intervals.get(intervals.size() - 1);
        return new IntervalStats(first.index(), first.warmup() && last.warmup(), first.start(), length,
                last.targetRate(), counts, last.inFlight(), last.queued(), LatencySummary.of(merged.latency()), LatencySummary.of(merged.serviceTime()),
                LatencySummary.of(merged.sendLag()), last.concurrency());
    }
}
