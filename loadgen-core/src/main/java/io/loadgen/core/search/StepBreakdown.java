package io.loadgen.core.search;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.schedule.StepRate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of each step of a stepped profile, as a run goes: each interval is placed in the step in force when it
 * started (from the run's first interval), and a step's figures are its intervals' counts added and their latency
 * histograms merged, never percentiles averaged. Steps as long as whole intervals are exact; otherwise an interval
 * across a boundary counts in the step where it started. Warm-up intervals are left out.
 *
 * <p>Thread-safe: intervals come on the interval clock's thread, {@link #steps()} may be called from any.
 */
public final class StepBreakdown implements IntervalListener {
    private final List<StepRate.Step> plan;
    private final Map<Integer, Accumulator> steps = new TreeMap<>();
    private Instant origin;

    /** One step's figures so far. */
    private static final class Accumulator {
        Counts counts = Counts.ZERO;
        Duration length = Duration.ZERO;
        final Histogram latency = new Histogram(3);
    }

    /**
     * One step's figures.
     *
     * @param number the step's number, from 1
     * @param targetRate the rate the step asked for, per second
     * @param length the span of its intervals (the planned length, unless the run stopped within it)
     * @param counts its requests: those due in it, whenever they ended
     * @param latency their latency from the intended send time
     */
    public record StepStats(int number, double targetRate, Duration length, Counts counts, LatencySummary latency) {
        /** @return requests due per second of the step: the offered rate */
        public double offeredRate() {
            return Counts.perSecond(counts.scheduled(), length);
        }

        /** @return requests completed (answered or failed) per second of the step */
        public double achievedRate() {
            return Counts.perSecond(counts.completed(), length);
        }

        /** @return requests that failed for any reason but a failed check: errors, unfinished and dropped ones */
        public long failed() {
            return counts.errors().total() - counts.errors().check() + counts.unfinished() + counts.dropped();
        }

        /**
         * @return with checks on the answers ({@code --check}), the answers that passed / (passed + failed a check),
         *     HTTP errors and other failures apart; NaN when there was no answer
         */
        public double accuracy() {
            long checked = counts.ok() + counts.errors().check();
            return checked == 0 ? Double.NaN : (double) counts.ok() / checked;
        }
    }

    /** @param plan the profile's steps, in order */
    public StepBreakdown(List<StepRate.Step> plan) {
        if (plan.isEmpty()) {
            throw new IllegalArgumentException("a stepped profile has at least one step");
        }
        this.plan = List.copyOf(plan);
    }

    @Override
    public synchronized void onInterval(IntervalStats stats, IntervalHistograms histograms) {
        if (origin == null) {
            // intervals come in order from the first, whose start is the profile's start
            origin = stats.start().minus(stats.length().multipliedBy(stats.index()));
        }
        if (stats.warmup()) {
            return;
        }
        int k = stepAt(Duration.between(origin, stats.start()));
        Accumulator a = steps.computeIfAbsent(k, i -> new Accumulator());
        a.counts = a.counts.plus(stats.counts());
        a.length = a.length.plus(stats.length());
        a.latency.add(histograms.latency());
    }

    /** @return the index of the step in force {@code offset} after the start (the last one after the end) */
    private int stepAt(Duration offset) {
        Duration end = Duration.ZERO;
        for (int i = 0; i < plan.size(); i++) {
            end = end.plus(plan.get(i).length());
            if (offset.compareTo(end) < 0) {
                return i;
            }
        }
        return plan.size() - 1;
    }

    /** @return the steps that have had an interval, in order */
    public synchronized List<StepStats> steps() {
        List<StepStats> out = new ArrayList<>();
        for (Map.Entry<Integer, Accumulator> e : steps.entrySet()) {
            Accumulator a = e.getValue();
            out.add(new StepStats(e.getKey() + 1, plan.get(e.getKey()).perSecond(), a.length, a.counts,
                    LatencySummary.of(a.latency)));
        }
        return out;
    }
}
