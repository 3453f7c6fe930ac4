package io.loadgen.rmi.fleet;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Recorder;
import io.loadgen.core.metrics.RunTotals;
import io.loadgen.core.metrics.SlidingWindow;
import io.loadgen.core.metrics.WindowStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merged intervals of one run over many agents: interval {@code k} is merged once every agent that can still
 * deliver it has (counts add, histograms add exactly, gauges add), then published to the listeners, the sliding
 * window and the run's totals, in order. Not thread-safe: the coordinator's lock guards it.
 */
final class FleetMerge {
    private static final Logger LOG = LoggerFactory.getLogger(FleetMerge.class);
    private final Instant start;
    private final Duration interval;
    private final List<IntervalListener> listeners;
    private final SlidingWindow window;
    private final RunTotals totals = new RunTotals();
    private long next;
    private long warmIntervals;
    private long measuredNanos;

    /**
     * @param start the run's start (T0)
     * @param interval the agents' interval
     * @param windowSize intervals in the sliding window
     * @param listeners who hears each merged interval (read at each publication)
     */
    FleetMerge(Instant start, Duration interval, int windowSize, List<IntervalListener> listeners) {
        this.start = start;
        this.interval = interval;
        this.listeners = listeners;
        this.window = new SlidingWindow(windowSize);
    }

    /** Merges and publishes every interval that every agent able to deliver it has delivered. */
    void mergeReady(List<AgentLink> links) {
        while (true) {
            long k = next;
            boolean any = false;
            for (AgentLink l : links) {
                if (l.mayDeliver(k)) {
                    return; // wait for it
                }
                any |= l.pending.containsKey(k);
            }
            if (!any) {
                return;
            }
            List<AgentLink.Received> parts = new ArrayList<>();
            for (AgentLink l : links) {
                AgentLink.Received r = l.pending.remove(k);
                if (r != null) {
                    parts.add(r);
                }
            }
            publish(k, parts);
            next = k + 1;
        }
    }

    private void publish(long k, List<AgentLink.Received> parts) {
        Histogram lat = Recorder.newHistogram();
        Histogram svc = Recorder.newHistogram();
        Histogram lag = Recorder.newHistogram();
        Counts c = Counts.ZERO;
        long length = 0;
        double rate = 0;
        int inFlight = 0;
        int queued = 0;
        int sessions = 0;
        boolean warm = false;
        for (AgentLink.Received r : parts) {
            AgentInterval a = r.interval();
            IntervalHistograms h = r.histograms();
            lat.add(h.latency());
            svc.add(h.serviceTime());
            lag.add(h.sendLag());
            c = c.plus(a.counts());
            length = Math.max(length, a.lengthNanos());
            rate += a.targetRate();
            inFlight += a.inFlight();
            queued += a.queued();
            sessions += a.concurrency();
            warm |= a.warmup();
        }
        IntervalHistograms h = new IntervalHistograms(lat, svc, lag);
        IntervalStats s = stats(start, interval, k, warm, length, rate, c, inFlight, queued, sessions, h);
        window.add(s, h);
        if (warm) {
            warmIntervals++;
        } else {
            totals.add(c, h, 0);
            measuredNanos += length;
        }
        for (IntervalListener l : listeners) {
            try {
                l.onInterval(s, h);
            } catch (RuntimeException e) {
                LOG.warn("interval listener {} failed", l, e);
            }
        }
    }

    /** @return an interval's figures, starting at {@code start + k * interval} */
    static IntervalStats stats(Instant start, Duration interval, long k, boolean warm, long lengthNanos, double rate,
            Counts c, int inFlight, int queued, int sessions, IntervalHistograms h) {
        return new IntervalStats(k, warm, start.plusNanos(k * interval.toNanos()),
                Duration.ofNanos(Math.max(1, lengthNanos)), rate, c, inFlight, queued, LatencySummary.of(h.latency()),
                LatencySummary.of(h.serviceTime()), LatencySummary.of(h.sendLag()), sessions);
    }

    /** @return the sliding window of the merged intervals */
    WindowStats window() {
        return window.snapshot();
    }

    /** @return the measured (not warm-up) merged intervals added up */
    RunTotals totals() {
        return totals;
    }

    /** @return the warm-up intervals merged */
    long warmIntervals() {
        return warmIntervals;
    }

    /** @return the length of the measured intervals merged */
    Duration measured() {
        return Duration.ofNanos(measuredNanos);
    }
}
