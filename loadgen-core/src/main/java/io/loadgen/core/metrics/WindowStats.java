package io.loadgen.core.metrics;

import java.io.Serializable;
import java.util.List;

/**
 * The sliding window: the last {@code windowSize} intervals and their aggregate, whose percentiles come from the
 * merged histograms of those intervals (never from averaged percentiles).
 *
 * @param intervals the intervals, oldest first; empty before the first interval ends
 * @param aggregate the whole window as one span, or {@code null} when {@code intervals} is empty
 */
public record WindowStats(List<IntervalStats> intervals, IntervalStats aggregate) implements Serializable {
    /** The window before anything was recorded. */
    public static final WindowStats EMPTY = new WindowStats(List.of(), null);

    public WindowStats {
        intervals = List.copyOf(intervals);
    }

    /** @return the newest interval, or {@code null} when there is none */
    public IntervalStats latest() {
        return intervals.isEmpty() ? null : intervals.get(intervals.size() - 1);
    }
}
