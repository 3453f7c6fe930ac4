package io.loadgen.core.metrics;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Merges intervals into one span: counts added, histograms merged, percentiles taken from the merge. */
final class Spans {
    private Spans() {
    }

    /** @return an empty, self-resizing histogram of microseconds */
    static Histogram newHistogram() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    /**
     * @param intervals at least one interval, oldest first
     * @param histograms their histograms, in the same order
     * @return the span they cover together
     */
    static IntervalStats merge(List<IntervalStats> intervals, List<IntervalHistograms> histograms) {
        Histogram latency = newHistogram();
        Histogram service = newHistogram();
        Histogram lag = newHistogram();
        for (IntervalHistograms h : histograms) {
            latency.add(h.latency());
            service.add(h.serviceTime());
            lag.add(h.sendLag());
        }
        Counts counts = Counts.ZERO;
        Duration length = Duration.ZERO;
        for (IntervalStats s : intervals) {
            counts = counts.plus(s.counts());
            length = length.plus(s.length());
        }
        IntervalStats first = intervals.get(0);
        IntervalStats last = intervals.get(intervals.size() - 1);
        return new IntervalStats(first.index(), first.start(), length, last.targetRate(), counts, last.inFlight(),
                last.queued(), LatencySummary.of(latency), LatencySummary.of(service), LatencySummary.of(lag));
    }
}
