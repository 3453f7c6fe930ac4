package io.loadgen.core.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.schedule.StepRate;
import io.loadgen.core.search.StepBreakdown;
import io.loadgen.core.search.StepsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html of a stepped run: the steps and their knee, and a latency chart that an overload does not flatten. */
class HtmlReportTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    /** Writes a run of one interval per given median latency (p99 3x it), steps.json too when asked. */
    private static Path run(Path dir, boolean steps, double... medianMs) throws Exception {
        StepBreakdown breakdown = new StepBreakdown(java.util.stream.IntStream.range(0, medianMs.length)
                .mapToObj(i -> new StepRate.Step(10 * (i + 1), Duration.ofSeconds(1))).toList());
        try (ResultsWriter w = new ResultsWriter(dir, Map.of())) {
            for (int i = 0; i < medianMs.length; i++) {
                Histogram h = new Histogram(3);
                for (int k = 0; k < 100; k++) {
                    h.recordValue(Math.round(medianMs[i] * 1000 * (k < 95 ? 1 : 3)));
                }
                long shed = medianMs[i] > 1000 ? 10 : 0;
                Counts c = new Counts(100, 100, 0, 100, 100 - shed, new ErrorCounts(0, 0, 0, shed, 0, 0, shed), 0, 0);
                IntervalStats s = new IntervalStats(i, false, T0.plusSeconds(i), Duration.ofSeconds(1), 10 * (i + 1),
                        c, 0, 0, LatencySummary.of(h), LatencySummary.of(h), LatencySummary.EMPTY, 0);
                IntervalHistograms hs = new IntervalHistograms(h, h, new Histogram(3));
                w.onInterval(s, hs);
                breakdown.onInterval(s, hs);
            }
        }
        if (steps) {
            List<StepBreakdown.StepStats> st = breakdown.steps();
            StepsFile.of(st, StepsFile.autoBound(st).orElseThrow(), StepsFile.autoBoundRule(st), false)
                    .write(dir.resolve(StepsFile.FILE));
        }
        return HtmlReport.write(dir);
    }

    @Test
    void anOverloadsTailPutsTheLatencyChartOnALogAxisAndTheStepsAndTheKneeAreShown(@TempDir Path tmp)
            throws Exception {
        String html = Files.readString(run(tmp.resolve("stepped"), true, 20, 22, 30, 900, 3000));
        assertTrue(html.contains("Latency over time (log scale)"), "20 ms to 9 s: a log axis");
        assertTrue(html.contains("<h2>Steps</h2>"), "the steps' table");
        assertTrue(html.contains("The knee: 30/s (step 3 of 5)"), "the knee, in a sentence at the top");
        assertTrue(html.contains("the server first shed load at 50/s (step 5 of 5"), "the first shedding step");
        assertTrue(html.contains("Steps: latency vs offered load"), "the knee's chart");
    }

    @Test
    void aSteadyRunKeepsALinearAxisAndHasNoStepsSection(@TempDir Path tmp) throws Exception {
        String html = Files.readString(run(tmp.resolve("steady"), false, 20, 22, 21, 20));
        assertTrue(html.contains("Latency over time"));
        assertFalse(html.contains("(log scale)"), "p50 20 ms and p99 66 ms span 3x: a linear axis");
        assertFalse(html.contains("<h2>Steps</h2>"), "no steps.json, no steps");
    }

    @Test
    void aSpanIsMeasuredOverThePositiveValuesOnly() {
        assertTrue(HtmlReport.spansMoreThan(20, new double[] {0, 1, 5}, new double[] {30}));
        assertFalse(HtmlReport.spansMoreThan(20, new double[] {0, 2, 5}, new double[] {30, Double.NaN}));
        assertFalse(HtmlReport.spansMoreThan(20, new double[] {0, 0}));
    }
}
