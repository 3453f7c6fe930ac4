package io.loadgen.core.engine;

import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.Recorder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Merges the lanes' sealed intervals into the run's: interval {@code k} of the run is published once every lane has
 * sealed its interval {@code k} (or has ended before it). Counts add up, histograms are added (exact), gauges add
 * up. With one lane, its intervals pass through unchanged. Called from the interval clock alone.
 */
final class IntervalMerger {
    private final List<Recorder> recorders;
    private final long origin;
    private final long interval;
    private final Map<Long, Partial> partials = new HashMap<>();
    private long next;

    private static final class Partial {
        final Recorder.Sealed[] parts;
        int have;

        Partial(int lanes) {
            parts = new Recorder.Sealed[lanes];
        }
    }

    IntervalMerger(List<Recorder> recorders) {
        this.recorders = List.copyOf(recorders);
        this.origin = recorders.get(0).origin();
        this.interval = recorders.get(0).intervalNanos();
    }

    /**
     * @param nowNanos the time now
     * @param gauges each lane's gauges now, by lane number
     * @param runEndNanos the end of the run's scheduling (the latest of its lanes'), or {@link Long#MAX_VALUE}
     * @return the run's intervals complete now, oldest first
     */
    List<Recorder.Sealed> poll(long nowNanos, IntFunction<Supplier<Recorder.Gauge>> gauges, long runEndNanos) {
        int n = recorders.size();
        if (n == 1) {
            return recorders.get(0).sealReady(nowNanos, gauges.apply(0));
        }
        for (int i = 0; i < n; i++) {
            for (Recorder.Sealed s : recorders.get(i).sealReady(nowNanos, gauges.apply(i))) {
                Partial p = partials.computeIfAbsent(s.index(), k -> new Partial(n));
                p.parts[i] = s;
                p.have++;
            }
        }
        // Once every lane's recorder has finished, the run's scheduling ended at the latest of theirs, even if the
        // caller does not know it yet (a lane's recorder finishes before the lane says it ended): without this
        // bound every later interval would count as complete, and the loop below would merge empty intervals
        // without end (it filled a 512 MB heap in 0.3 s at the end of a self-warm).
        long end = runEndNanos;
        boolean allFinished = true;
        long latest = Long.MIN_VALUE;
        for (Recorder r : recorders) {
            allFinished &= r.finished();
            latest = Math.max(latest, r.scheduleEnd());
        }
        if (allFinished) {
            end = Math.min(end, latest);
        }
        List<Recorder.Sealed> out = new ArrayList<>();
        while (true) {
            long k = next;
            long start = origin + k * interval;
            if (start >= end || start > nowNanos) {
                break;
            }
            Partial p = partials.get(k);
            boolean complete = true;
            for (int i = 0; i < n; i++) {
                boolean has = p != null && p.parts[i] != null;
                if (!has && !(recorders.get(i).finished() && recorders.get(i).sealed() <= k)) {
                    complete = false;
                    break;
                }
            }
            if (!complete) {
                break;
            }
            // merged before it is removed: if merging fails (out of memory), the parts stay for the next poll
            Recorder.Sealed merged = merge(k, start, p == null ? new Recorder.Sealed[n] : p.parts, end);
            partials.remove(k);
            out.add(merged);
            next = k + 1;
        }
        return out;
    }

    private Recorder.Sealed merge(long k, long start, Recorder.Sealed[] parts, long runEnd) {
        io.loadgen.core.metrics.Counts counts = io.loadgen.core.metrics.Counts.ZERO;
        var latency = Recorder.newHistogram();
        var service = Recorder.newHistogram();
        var lag = Recorder.newHistogram();
        int inFlight = 0;
        int queued = 0;
        int sessions = 0;
        long beforeEnd = 0;
        for (Recorder.Sealed s : parts) {
            if (s == null) {
                continue;
            }
            counts = counts.plus(s.counts());
            latency.add(s.histograms().latency());
            service.add(s.histograms().serviceTime());
            lag.add(s.histograms().sendLag());
            inFlight += s.gauge().inFlight();
            queued += s.gauge().queued();
            sessions += s.gauge().concurrency();
            beforeEnd += s.completedBeforeScheduleEnd();
        }
        long length = Math.min(interval, runEnd - start);
        return new Recorder.Sealed(k, start, length, counts, new IntervalHistograms(latency, service, lag),
                new Recorder.Gauge(inFlight, queued, sessions), beforeEnd);
    }
}
