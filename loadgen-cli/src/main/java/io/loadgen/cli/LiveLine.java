package io.loadgen.cli;

import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.config.ChronoDurations;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Prints one line per interval: rates, latency, errors, in flight, and progress when the length is known. */
final class LiveLine implements IntervalListener {
    private static final int BAR = 20;
    private final PrintStream out;
    private final Duration length;
    private Duration elapsed = Duration.ZERO;

    /**
     * @param out where to print
     * @param length the run's planned length, or {@code null} when it runs until stopped
     */
    LiveLine(PrintStream out, Duration length) {
        this.out = out;
        this.length = length;
    }

    @Override
    public synchronized void onWaiting(Waiting w) {
        out.println(String.format(Locale.ROOT, "[%6.1fs] waiting for interval %d: %d requests in flight, %d queued"
                + " (an interval is shown once all its requests have ended)", ChronoDurations.seconds(w.elapsed()),
                w.interval(), w.inFlight(), w.queued()));
        out.flush();
    }

    @Override
    public synchronized void onInterval(IntervalStats s, IntervalHistograms h) {
        elapsed = elapsed.plus(s.length());
        out.println(format(s, elapsed, length));
        out.flush();
    }

    static String format(IntervalStats s, Duration elapsed, Duration length) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "[%6.1fs] offered %8.1f/s  achieved %8.1f/s  p50 %8s  p99 %8s  max %8s"
                        + "  errors %d (%.2f%%)  dropped %d  in flight %d",
                ChronoDurations.seconds(elapsed), s.offeredRate(), s.achievedRate(),
                ChronoDurations.format(s.latency().p50()), ChronoDurations.format(s.latency().p99()),
                ChronoDurations.format(s.latency().max()), s.counts().errors().total(), 100 * s.errorRatio(),
                s.counts().dropped(), s.inFlight()));
        if (s.counts().errors().shed() > 0) {
            b.append("  shed ").append(s.counts().errors().shed());
        }
        if (s.counts().errors().check() > 0) {
            b.append("  failed checks ").append(s.counts().errors().check());
        }
        if (s.queued() > 0) {
            b.append("  queued ").append(s.queued());
        }
        if (s.concurrency() > 0) {
            b.append("  sessions ").append(s.concurrency());
        }
        if (s.warmup()) {
            b.append("  (warm-up)");
        }
        if (length != null && !length.isZero()) {
            double f = Math.min(1.0, ChronoDurations.seconds(elapsed) / ChronoDurations.seconds(length));
            int filled = (int) Math.round(f * BAR);
            b.append("  [").append("#".repeat(filled)).append("-".repeat(BAR - filled)).append(']')
                    .append(String.format(Locale.ROOT, " %3.0f%%", f * 100));
        }
        return b.toString();
    }
}
