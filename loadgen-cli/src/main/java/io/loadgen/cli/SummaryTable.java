package io.loadgen.cli;

import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.config.ChronoDurations;
import java.util.Locale;

/** The end-of-run summary as people read it. */
final class SummaryTable {
    private SummaryTable() {
    }

    static String format(RunSummary s) {
        StringBuilder b = new StringBuilder();
        var c = s.counts();
        var e = c.errors();
        if (s.closedLoop()) {
            b.append(String.format(Locale.ROOT, "%nRun %s after %s: %s, closed loop, %d sessions (%s), %s transport%n",
                    s.state(), ChronoDurations.format(s.duration()), s.target(), s.concurrency(), s.profile(),
                    s.transport()));
        } else {
            b.append(String.format(Locale.ROOT, "%nRun %s after %s: %s, %s arrivals, profile %s, %s transport%n",
                    s.state(), ChronoDurations.format(s.duration()), s.target(), s.arrival(), s.profile(),
                    s.transport()));
        }
        b.append(String.format(Locale.ROOT, "  offered   %10.1f req/s   (%d scheduled)%n", s.offeredRate(),
                c.scheduled()));
        b.append(String.format(Locale.ROOT, "  achieved  %10.1f req/s   (%d completed, %d ok%s)%n", s.achievedRate(),
                c.completed(), c.ok(), c.completed() > s.completedBeforeEnd()
                        ? "; " + (c.completed() - s.completedBeforeEnd()) + " after the end of scheduling" : ""));
        b.append(String.format(Locale.ROOT,
                "  errors    %10d         (%.3f%%: connect %d, timeout %d, 4xx %d, 5xx %d, other %d%s)%s%n",
                e.total(), 100 * s.errorRatio(), e.connect(), e.timeout(), e.http4xx(), e.http5xx(), e.other(),
                s.checks().enabled() ? ", check " + e.check() : "",
                e.shed() > 0 ? "; shed by the server (429/503): " + e.shed() : ""));
        if (s.checks().enabled()) {
            var k = s.checks();
            b.append(String.format(Locale.ROOT, "  checks    %10d passed (%s of %d answers; failures by check: %s)%n",
                    k.passed(), Double.isNaN(k.ratio()) ? "-" : String.format(Locale.ROOT, "%.4f", k.ratio()),
                    k.passed() + k.failed(), k.failedByCheck()));
        }
        b.append(String.format(Locale.ROOT, "  dropped   %10d%n", c.dropped()));
        if (c.unfinished() > 0) {
            b.append(String.format(Locale.ROOT, "  unfinished%10d         (still in flight when the drain ended; in the"
                    + " latency at their elapsed time)%n", c.unfinished()));
        }
        if (c.waited() > 0) {
            b.append(String.format(Locale.ROOT, "  waited    %10d         (in the client, for an in-flight slot)%n",
                    c.waited()));
        }
        b.append(String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s %9s%n", "", "p50", "p90", "p99", "p99.9",
                "max", "mean"));
        b.append(row(s.closedLoop() ? "latency (from send: closed)" : "latency (from intended send)", s.latency()));
        b.append(row("service time (from send)", s.serviceTime()));
        b.append(row("send lag", s.sendLag()));
        var g = s.generator();
        b.append(String.format(Locale.ROOT, "  generator: %.2f of %d cores (busiest thread %.0f%%), %d GC pauses, longest"
                + " %s%s%n", g.generatorCpu(), g.cores(), 100 * g.busiestThreadCpu(), g.gcPauses(),
                ChronoDurations.format(g.gcPauseMax()), s.selfWarm().isEmpty() ? "" : "; self-warm: " + s.selfWarm()));
        b.append("verdict: ").append(s.verdict().valid() ? "VALID: the generator kept its schedule"
                : "INVALID: the generator did not keep its schedule, so these figures include its own limits:")
                .append(String.format("%n"));
        for (String r : s.verdict().reasons()) {
            b.append("  - ").append(r).append(String.format("%n"));
        }
        return b.toString();
    }

    private static String row(String name, LatencySummary l) {
        return String.format(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s %9s%n", name,
                ChronoDurations.format(l.p50()), ChronoDurations.format(l.p90()), ChronoDurations.format(l.p99()),
                ChronoDurations.format(l.p999()), ChronoDurations.format(l.max()), ChronoDurations.format(l.mean()));
    }
}
