package io.loadgen.core.metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@code size} intervals. Each {@link #add} computes the window's aggregate once, so that readers
 * ({@link #snapshot()}, from any thread, as often as they like) only read an immutable value. The window's
 * histograms are kept as running sums: the newest interval is added and the evicted one subtracted, so an interval
 * costs the same whatever the window's size.
 */
public final class SlidingWindow {
    private final int size;
    private final Deque<IntervalStats> stats = new ArrayDeque<>();
    private final Deque<IntervalHistograms> histograms = new ArrayDeque<>();
    private final org.HdrHistogram.Histogram latency = Spans.newHistogram();
    private final org.HdrHistogram.Histogram service = Spans.newHistogram();
    private final org.HdrHistogram.Histogram lag = Spans.newHistogram();
    private volatile WindowStats snapshot = WindowStats.EMPTY;

    /**
     * @param size number of intervals kept, {@code >= 1}
     */
    public SlidingWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be >= 1 interval, got " + size);
        }
        this.size = size;
    }

    /** @return the number of intervals the window keeps */
    public int size() {
        return size;
    }

    /**
     * Adds the newest interval, evicting the oldest when full.
     *
     * @param interval its figures
     * @param intervalHistograms its histograms, which the window keeps and does not modify
     */
    public synchronized void add(IntervalStats interval, IntervalHistograms intervalHistograms) {
        stats.addLast(interval);
        histograms.addLast(intervalHistograms);
        latency.add(intervalHistograms.latency());
        service.add(intervalHistograms.serviceTime());
        lag.add(intervalHistograms.sendLag());
        while (stats.size() > size) {
            stats.removeFirst();
            IntervalHistograms old = histograms.removeFirst();
            latency.subtract(old.latency());
            service.subtract(old.serviceTime());
            lag.subtract(old.sendLag());
        }
        List<IntervalStats> list = new ArrayList<>(stats);
        snapshot = new WindowStats(list, Spans.span(list, new IntervalHistograms(latency, service, lag)));
    }

    /** @return the window as it stood after the last {@link #add} */
    public WindowStats snapshot() {
        return snapshot;
    }
}
