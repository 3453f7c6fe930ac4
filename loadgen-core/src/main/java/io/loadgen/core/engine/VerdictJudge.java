package io.loadgen.core.engine;

import io.loadgen.config.ChronoDurations;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges whether the generator kept its schedule over a run's measured window. The rules, each with its bound:
 * <ul>
 * <li>send lag p99 over {@link #SEND_LAG_P99} and over {@link #LATENESS_SHARE} of the latency p50 (the scheduler
 * dispatched late by more than the figures can bear: see {@link #lagBound});</li>
 * <li>more than {@link #WAITED_SHARE} of the requests waited in the client for an in-flight slot;</li>
 * <li>requests waited for a connection (the pool full) at more than {@link #POOL_WAIT_SHARE} of the clock's
 * checks;</li>
 * <li>any request dropped by the client (its own limits, or still queued when the drain ended);</li>
 * <li>the generator's threads used more than {@link #CPU_SHARE} of the cores, or one of them more than that share
 * of one core;</li>
 * <li>a GC pause longer than {@link #GC_PAUSE_MAX}, or pauses adding up to more than {@link #GC_SHARE} of the
 * window.</li>
 * </ul>
 * A slow or failing target breaks none of them.
 */
final class VerdictJudge {
    static final Duration SEND_LAG_P99 = Duration.ofMillis(1);
    /** The generator's lateness a run's figures can bear, as a share of the median latency it is charged to. */
    static final double LATENESS_SHARE = 0.05;
    static final double WAITED_SHARE = 0.001;
    static final double POOL_WAIT_SHARE = 0.05;
    static final double CPU_SHARE = 0.9;
    static final Duration GC_PAUSE_MAX = Duration.ofMillis(50);
    static final double GC_SHARE = 0.02;

    private VerdictJudge() {
    }

    /**
     * What the client's limits were, in words for the reasons.
     *
     * @param inFlight e.g. {@code in-flight limit 2 (--max-in-flight)}
     * @param overflow {@code queue} or {@code drop}
     * @param maxQueued the client queue's bound
     * @param connections e.g. {@code 4 connections (--connections)}
     */
    record Limits(String inFlight, String overflow, int maxQueued, String connections) {
    }

    /**
     * How late the generator may send at its 99th percentile: {@link #SEND_LAG_P99}, or {@link #LATENESS_SHARE} of
     * the median latency when that is more. Lateness is charged to the latency (it runs from the intended send), so
     * a send lag under 5% of the median moves no percentile at or above it by more than 5%: against a target that
     * answers in 200 ms, 3 ms of lateness (a virtual machine's processor taken away now and then) leaves its figures
     * the target's; against one that answers in 100 us, 1 ms would be ten times its answer, and the floor holds.
     *
     * @param latency the run's latency from the intended send
     * @return the bound on the send lag's p99
     */
    static Duration lagBound(LatencySummary latency) {
        Duration share = Duration.ofNanos(Math.round(latency.p50().toNanos() * LATENESS_SHARE));
        return share.compareTo(SEND_LAG_P99) > 0 ? share : SEND_LAG_P99;
    }

    static Verdict judge(Counts c, LatencySummary latency, LatencySummary sendLag, GeneratorLoad load,
            Duration window, Limits limits, double poolWaitShare) {
        List<String> reasons = new ArrayList<>();
        Duration lagBound = lagBound(latency);
        if (sendLag.count() > 0 && sendLag.p99().compareTo(lagBound) > 0) {
            reasons.add("send lag p99 " + ChronoDurations.format(sendLag.p99()) + " is over " + (lagBound.equals(
                    SEND_LAG_P99) ? ChronoDurations.format(SEND_LAG_P99) : ChronoDurations.format(lagBound) + String.format(
                    Locale.ROOT, " (%.0f%% of the latency p50, ", 100 * LATENESS_SHARE)
                    + ChronoDurations.format(latency.p50()) + ")")
                    + ": the generator sent late (max " + ChronoDurations.format(sendLag.max()) + ")");
        }
        if (c.scheduled() > 0 && c.waited() > WAITED_SHARE * c.scheduled()) {
            reasons.add(String.format(Locale.ROOT, "%d requests (%.2f%%) waited in the client for an in-flight slot"
                    + " (%s): their latency includes the client's own queue", c.waited(),
                    100.0 * c.waited() / c.scheduled(), limits.inFlight()));
        }
        if (poolWaitShare > POOL_WAIT_SHARE) {
            reasons.add(String.format(Locale.ROOT, "requests waited for a connection at %.0f%% of the checks (%s, %s)",
                    100 * poolWaitShare, limits.connections(), limits.inFlight()));
        }
        if (c.dropped() > 0) {
            reasons.add(String.format(Locale.ROOT, "the client dropped %d of %d scheduled requests (%.2f%%): %s,"
                    + " overflow=%s, client queue bound %d; or still waiting when the drain ended", c.dropped(),
                    c.scheduled(), 100.0 * c.dropped() / Math.max(1, c.scheduled()), limits.inFlight(),
                    limits.overflow(), limits.maxQueued()));
        }
        if (load.generatorCpu() > CPU_SHARE * load.cores()) {
            reasons.add(String.format(Locale.ROOT, "the generator's threads used %.2f of %d cores: it was CPU-bound",
                    load.generatorCpu(), load.cores()));
        } else if (load.busiestThreadCpu() > CPU_SHARE) {
            reasons.add(String.format(Locale.ROOT, "generator thread %s was busy %.0f%% of the time: it was"
                    + " CPU-bound", load.busiestThread(), 100 * load.busiestThreadCpu()));
        }
        if (load.gcPauseMax().compareTo(GC_PAUSE_MAX) > 0) {
            reasons.add("a GC pause of " + ChronoDurations.format(load.gcPauseMax()) + " (over "
                    + ChronoDurations.format(GC_PAUSE_MAX) + ") stopped the generator");
        } else if (!window.isZero() && load.gcPauseTotal().toNanos() > GC_SHARE * window.toNanos()) {
            reasons.add(String.format(Locale.ROOT, "GC paused the generator for %.1f%% of the window (%d pauses, %s)",
                    100.0 * load.gcPauseTotal().toNanos() / window.toNanos(), load.gcPauses(),
                    ChronoDurations.format(load.gcPauseTotal())));
        }
        return Verdict.of(reasons);
    }
}
