package io.loadgen.core.search;

import io.loadgen.config.ChronoDurations;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.Recorder;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The windows a trial of a search or a sweep is judged on, summed: the last {@code k} up to a last window, leaving
 * out the first window of the trial (connections opening) when there are more.
 *
 * @param latency the windows' latency histogram, microseconds
 * @param scheduled requests scheduled in them
 * @param completed requests of them that completed
 * @param errors of those, the errors
 * @param seconds the windows' length
 */
record MeasuredWindows(Histogram latency, long scheduled, long completed, long errors, double seconds) {

    /**
     * @param stats every window of the trial, in order
     * @param hists their histograms, in the same order
     * @param last the last window to count, or -1 for none
     * @param k how many windows to count at most
     * @return the sum
     */
    static MeasuredWindows sum(List<IntervalStats> stats, List<IntervalHistograms> hists, int last, int k) {
        Histogram latency = Recorder.newHistogram();
        long scheduled = 0;
        long completed = 0;
        long errors = 0;
        double seconds = 0;
        int from = Math.max(Math.min(1, last), last - k + 1);
        for (int i = Math.max(0, from); i <= last; i++) {
            IntervalStats s = stats.get(i);
            latency.add(hists.get(i).latency());
            scheduled += s.counts().scheduled();
            completed += s.counts().completed();
            errors += s.counts().errors().total();
            seconds += ChronoDurations.seconds(s.length());
        }
        return new MeasuredWindows(latency, scheduled, completed, errors, seconds);
    }

    /** @return {@code n} per second of the windows, 0 when they have no length */
    double perSecond(long n) {
        return seconds > 0 ? n / seconds : 0;
    }

    /**
     * The engine settings of a trial: the search's window as recording interval, the self-warm kept (once per JVM)
     * but no warm-up at the target, and a drain of at most {@code maxDrain}: a trial is judged on its last windows,
     * and a long drain after an overloaded trial tells nothing more.
     */
    static EngineConfig trialEngine(EngineConfig engine, Duration interval, Duration maxDrain) {
        return engine.toBuilder().recordInterval(interval)
                .warmup(engine.warmup().selfWarm() ? Warmup.AUTO : Warmup.NONE)
                .drainTimeout(engine.drainTimeout().compareTo(maxDrain) < 0 ? engine.drainTimeout() : maxDrain)
                .build();
    }
}
