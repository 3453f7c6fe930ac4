package io.loadgen.cli;

import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Accuracy under load: for each step of a stepped profile (the intervals that start within it, placed by their start
 * time from the run's first interval, warm-up left out), the answers checked right and wrong, their accuracy (right / (right + wrong), 503s and other errors apart),
 * and the latency of the step, merged from its intervals' histograms. Hears the intervals on the interval clock;
 * {@link #print} after the run.
 */
final class AccuracyByStep implements IntervalListener {
    /** One step's figures so far. */
    private static final class Step {
        final double rate;
        long right;
        long wrong;
        long errors;
        long scheduled;
        double seconds;
        final Histogram latency = new Histogram(3);

        Step(double rate) {
            this.rate = rate;
        }
    }

    private final List<io.loadgen.core.schedule.StepRate.Step> plan;
    private final Map<Integer, Step> steps = new LinkedHashMap<>();
    private java.time.Instant origin;

    /** @param plan the profile's steps, in order: an interval belongs to the step in force when it started */
    AccuracyByStep(List<io.loadgen.core.schedule.StepRate.Step> plan) {
        this.plan = List.copyOf(plan);
    }

    @Override
    public synchronized void onInterval(IntervalStats stats, IntervalHistograms histograms) {
        if (origin == null) {
            // intervals come in order from the first: its start is the profile's start (an interval's target rate is
            // its mean, which for one across a step's boundary is neither step's, so it cannot say which step it was in)
            origin = stats.start().minus(stats.length().multipliedBy(stats.index()));
        }
        if (stats.warmup()) {
            return;
        }
        int k = stepAt(java.time.Duration.between(origin, stats.start()));
        Step s = steps.computeIfAbsent(k, i -> new Step(plan.get(i).perSecond()));
        var c = stats.counts();
        s.right += c.ok();
        s.wrong += c.errors().check();
        s.errors += c.errors().total() - c.errors().check();
        s.scheduled += c.scheduled();
        s.seconds += stats.length().toNanos() / 1e9;
        s.latency.add(histograms.latency());
    }

    /** @return the index of the step in force {@code offset} after the start (the last one after the end) */
    private int stepAt(java.time.Duration offset) {
        java.time.Duration end = java.time.Duration.ZERO;
        for (int i = 0; i < plan.size(); i++) {
            end = end.plus(plan.get(i).length());
            if (offset.compareTo(end) < 0) {
                return i;
            }
        }
        return plan.size() - 1;
    }

    /** @return each step's accuracy, in step order (NaN where nothing was checked) */
    synchronized List<Double> accuracies() {
        List<Double> out = new ArrayList<>();
        for (Step s : steps.values()) {
            out.add(s.right + s.wrong == 0 ? Double.NaN : (double) s.right / (s.right + s.wrong));
        }
        return out;
    }

    /** Prints the table: one row per step. */
    synchronized void print(PrintWriter o) {
        o.println("accuracy under load (answers checked against the test set's labels; 503s and other errors apart):");
        o.println("| target /s | offered /s | right | wrong | accuracy | errors | p50 ms | p99 ms |");
        o.println("|--:|--:|--:|--:|--:|--:|--:|--:|");
        for (Step s : steps.values()) {
            long n = s.right + s.wrong;
            o.printf(Locale.ROOT, "| %.1f | %.1f | %d | %d | %s | %d | %.1f | %.1f |%n", s.rate,
                    s.seconds > 0 ? s.scheduled / s.seconds : 0, s.right, s.wrong,
                    n == 0 ? "-" : String.format(Locale.ROOT, "%.4f", (double) s.right / n), s.errors,
                    s.latency.getValueAtPercentile(50) / 1000.0, s.latency.getValueAtPercentile(99) / 1000.0);
        }
        o.flush();
    }
}
