package io.loadgen.core.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.schedule.StepRate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steps from intervals, and the knee and the first shedding step found in them. */
class StepsFileTest {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration S = Duration.ofSeconds(1);

    /** An interval of {@code n} requests, all answered at {@code latencyMs} (one at {@code tailMs}), some shed. */
    private static void interval(StepBreakdown b, int index, long n, double latencyMs, double tailMs, long shed,
            long wrong) {
        Histogram h = new Histogram(3);
        for (int i = 0; i < n; i++) {
            h.recordValue(Math.round((i == n - 1 ? tailMs : latencyMs) * 1000));
        }
        ErrorCounts e = new ErrorCounts(0, 0, 0, shed, 0, wrong, shed);
        Counts c = new Counts(n, n, 0, n, n - shed - wrong, e, 0, 0);
        IntervalStats s = new IntervalStats(index, false, T0.plus(S.multipliedBy(index)), S, 0, c, 0, 0,
                LatencySummary.of(h), LatencySummary.EMPTY, LatencySummary.EMPTY, 0);
        b.onInterval(s, new IntervalHistograms(h, new Histogram(3), new Histogram(3)));
    }

    private static List<StepRate.Step> plan(double... rates) {
        return java.util.Arrays.stream(rates).mapToObj(r -> new StepRate.Step(r, Duration.ofSeconds(2))).toList();
    }

    @Test
    void eachIntervalCountsInTheStepItStartedInAndTheKneeIsTheHighestStepWithinTheBound(@TempDir Path dir)
            throws Exception {
        StepBreakdown b = new StepBreakdown(plan(10, 20, 30, 40));
        interval(b, 0, 10, 20, 20, 0, 0);
        interval(b, 1, 10, 20, 30, 0, 0);
        interval(b, 2, 20, 25, 60, 0, 0);
        interval(b, 3, 20, 25, 70, 0, 0);
        interval(b, 4, 30, 40, 250, 0, 0); // p99 over a 200 ms bound
        interval(b, 5, 30, 40, 300, 0, 0);
        interval(b, 6, 40, 900, 3000, 5, 0); // shed
        interval(b, 7, 40, 900, 3000, 7, 0);

        List<StepBreakdown.StepStats> steps = b.steps();
        assertEquals(4, steps.size());
        assertEquals(20, steps.get(0).counts().scheduled(), "two intervals of 10");
        assertEquals(12, steps.get(3).counts().errors().shed());
        assertEquals(Duration.ofSeconds(2), steps.get(1).length());
        assertEquals(10.0, steps.get(0).offeredRate(), 1e-9);

        Duration bound = StepsFile.autoBound(steps).orElseThrow();
        assertEquals(200, bound.toMillis(), StepsFile.AUTO_BOUND_FACTOR + "x the lightest step's median (20 ms, to"
                + " HdrHistogram's 3 digits)");
        StepsFile f = StepsFile.of(steps, bound, StepsFile.autoBoundRule(steps), false);
        assertEquals(2, f.kneeStep());
        assertEquals(4, f.firstShedStep());
        assertTrue(f.knee().startsWith("the knee: 20/s (step 2 of 4)"), f.knee());
        assertTrue(f.knee().contains("the server first shed load at 40/s (step 4 of 4: 12 of 80"), f.knee());
        assertTrue(f.steps().get(1).withinBound());
        assertFalse(f.steps().get(2).withinBound());
        assertNull(f.steps().get(0).accuracy(), "no checks, no accuracy");
        assertTrue(f.table().lines().count() == 5 && f.table().contains(" *"), f.table());

        f.write(dir.resolve(StepsFile.FILE));
        assertEquals(f, StepsFile.read(dir.resolve(StepsFile.FILE)), "steps.json reads back as written");
    }

    @Test
    void aStepWithAFailedRequestIsNotTheKneeWhateverItsLatencyAndNoneWithinTheBoundSaysSo() {
        StepBreakdown b = new StepBreakdown(plan(10, 20));
        interval(b, 0, 10, 20, 20, 0, 0);
        interval(b, 1, 10, 20, 20, 0, 0);
        interval(b, 2, 20, 5, 5, 1, 0); // fast, but one request shed
        interval(b, 3, 20, 5, 5, 0, 0);
        StepsFile f = StepsFile.of(b.steps(), Duration.ofMillis(50), "given", false);
        assertEquals(1, f.kneeStep());
        assertEquals(2, f.firstShedStep());

        StepBreakdown dip = new StepBreakdown(plan(10, 20, 30));
        interval(dip, 0, 10, 20, 20, 0, 0);
        interval(dip, 2, 20, 20, 900, 0, 0); // a slow spell at step 2
        interval(dip, 4, 30, 25, 40, 0, 0);
        StepsFile f2 = StepsFile.of(dip.steps(), Duration.ofMillis(100), "given", false);
        assertEquals(3, f2.kneeStep(), "the highest step within the bound");
        assertTrue(f2.knee().contains(", though step 2 (p99 90"), "a lower step over the bound is named: "
                + f2.knee());

        StepsFile none = StepsFile.of(b.steps(), Duration.ofMillis(1), "given", false);
        assertNull(none.kneeStep());
        assertTrue(none.knee().startsWith("no knee: no step kept its p99 within 1ms (given)"), none.knee());
    }

    @Test
    void wrongAnswersAreAccuracyNotFailures() {
        StepBreakdown b = new StepBreakdown(plan(10));
        interval(b, 0, 100, 2, 2, 0, 9);
        interval(b, 1, 100, 2, 2, 0, 8);
        StepsFile f = StepsFile.of(b.steps(), Duration.ofMillis(10), "given", true);
        assertEquals(1, f.kneeStep(), "wrong answers are not a capacity failure");
        assertEquals(183.0 / 200, f.steps().get(0).accuracy(), 1e-9);
        assertEquals(17, f.steps().get(0).wrong());
        assertNull(f.firstShedStep());
        assertTrue(f.knee().contains("shed no load (no 429 or 503) up to 10/s"), f.knee());
        assertTrue(f.table().contains("accuracy") && f.table().contains("0.9150"), f.table());
    }
}
