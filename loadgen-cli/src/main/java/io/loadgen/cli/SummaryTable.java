package io.loadgen.cli;

import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ChronoDurations;
import java.util.Locale;

/** The end-of-run summary as people read it. */
final class SummaryTable {
    private SummaryTable() {
    }

    static String format(RunSummary s) {
        StringBuilder b = new StringBuilder();
        var c = s.counts();
        var e = c.errors();
        b.append(String.format(Locale.ROOT, "%nRun %s after %s: %s, %s arrivals, profile %s%n", s.state(),
                ChronoDurations.format(s.duration()), s.target(), s.arrival(), s.profile()));
        b.append(String.format(Locale.ROOT, "  offered   %10.1f req/s   (%d scheduled)%n", s.offeredRate(),
                c.scheduled()));
        b.append(String.format(Locale.ROOT, "  achieved  %10.1f req/s   (%d completed, %d ok)%n", s.achievedRate(),
                c.completed(), c.ok()));
        b.append(String.format(Locale.ROOT,
                "  errors    %10d         (%.3f%%: connect %d, timeout %d, 4xx %d, 5xx %d, other %d)%n",
                e.total(), 100 * s.errorRatio(), e.connect(), e.timeout(), e.http4xx(), e.http5xx(), e.other()));
        b.append(String.format(Locale.ROOT, "  dropped   %10d%n", c.dropped()));
        b.append(String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s %9s%n", "", "p50", "p90", "p99", "p99.9",
                "max", "mean"));
        b.append(row("latency (from intended send)", s.latency()));
        b.append(row("service time (from send)", s.serviceTime()));
        b.append(row("send lag", s.sendLag()));
        return b.toString();
    }

    private static String row(String name, LatencySummary l) {
        return String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s %9s%n", name,
                ChronoDurations.format(l.p50()), ChronoDurations.format(l.p90()), ChronoDurations.format(l.p99()),
                ChronoDurations.format(l.p999()), ChronoDurations.format(l.max()), ChronoDurations.format(l.mean()));
    }
}
