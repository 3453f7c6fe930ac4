package io.loadgen.core.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.distribution.ExponentialDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArrivalPlannerTest {
    private static final long SEC = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long ORIGIN = 1_000_000_000L;
    private static final long NEG_ORIGIN = -5_000_000_000L;

    private static ArrivalPlanner constant(RateProfile profile, long start) {
        return new ArrivalPlanner(Arrival.CONSTANT.create(0), profile, start);
    }

    /** @return every arrival due before {@code until}, consuming them from the planner */
    private static long[] arrivalsBefore(ArrivalPlanner p, long until) {
        List<Long> out = new ArrayList<>();
        long due = p.due();
        while (due != ArrivalPlanner.NEVER && due < until) {
            out.add(due);
            due = p.next();
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** @return the number of arrivals in each bin of {@code binNanos} from {@code start} */
    private static int[] countPerBin(long[] arrivals, long start, long binNanos, int bins) {
        int[] counts = new int[bins];
        for (long a : arrivals) {
            long i = Math.floorDiv(a - start, binNanos);
            assertTrue(i >= 0, "arrival before the start: " + a);
            if (i < bins) {
                counts[(int) i]++;
            }
        }
        return counts;
    }

    // ------------------------------------------------------------------ constant arrivals

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN, 0L})
    void constantArrivalsAt2000PerSecondAreExactly500MicrosApartAndStartAtTheStart(long start) {
        ArrivalPlanner p = constant(new ConstantRate(2000), start);
        assertEquals(start, p.due(), "first arrival is at the start");
        long prev = p.due();
        for (int i = 0; i < 10_000; i++) {
            long next = p.next();
            assertEquals(500_000L, next - prev, "gap " + i);
            prev = next;
        }
        assertEquals(start + 10_000L * 500_000L, prev);
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void fractionalRateGivesTenSecondGaps(long start) {
        ArrivalPlanner p = constant(new ConstantRate(0.1), start);
        assertEquals(start, p.due());
        assertEquals(start + 10 * SEC, p.next());
        assertEquals(start + 20 * SEC, p.next());
        assertEquals(start + 30 * SEC, p.next());
        assertEquals(start + 30 * SEC, p.due());
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void fiftyThousandPerSecondGives20MicroGapsAnd50000ArrivalsInOneSecond(long start) {
        ArrivalPlanner p = constant(new ConstantRate(50_000), start);
        long[] a = arrivalsBefore(p, start + SEC);
        assertEquals(50_000, a.length);
        assertEquals(start, a[0]);
        for (int i = 1; i < a.length; i++) {
            assertEquals(20_000L, a[i] - a[i - 1], "gap " + i);
        }
        assertEquals(start + SEC, p.due(), "the next one is exactly one second after the start");
    }

    @Test
    void zeroRatePoissonNeverArrives() {
        ArrivalPlanner p = new ArrivalPlanner(Arrival.POISSON.create(7), new ConstantRate(0), ORIGIN);
        assertEquals(ArrivalPlanner.NEVER, p.due());
        assertEquals(ArrivalPlanner.NEVER, p.next());
        assertEquals(ArrivalPlanner.NEVER, p.due());
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void zeroRateConstantNeverArrives(long start) {
        ArrivalPlanner p = constant(new ConstantRate(0), start);
        assertEquals(ArrivalPlanner.NEVER, p.due());
        assertEquals(ArrivalPlanner.NEVER, p.next());
    }

    @Test
    void zeroRateConstantPlansNothingAfterTheFirst() {
        // Whatever happens at the start (see zeroRateConstantNeverArrives), nothing may follow it.
        ArrivalPlanner p = constant(new ConstantRate(0), ORIGIN);
        if (p.due() != ArrivalPlanner.NEVER) {
            assertEquals(ArrivalPlanner.NEVER, p.next());
        }
        assertEquals(ArrivalPlanner.NEVER, p.next());
    }

    @Test
    void aRateThatFallsToZeroForEverEndsTheSchedule() {
        StepRate s = new StepRate(List.of(new StepRate.Step(10, Duration.ofSeconds(1)),
                new StepRate.Step(0, Duration.ofSeconds(1))));
        ArrivalPlanner p = constant(s, ORIGIN);
        long[] a = arrivalsBefore(p, ArrivalPlanner.NEVER);
        assertEquals(10, a.length);
        assertEquals(ArrivalPlanner.NEVER, p.due());
    }

    // ------------------------------------------------------------------ profiles

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void stepRateCountsFollowTheSteps(long start) {
        StepRate s = new StepRate(List.of(new StepRate.Step(100, Duration.ofSeconds(1)),
                new StepRate.Step(1000, Duration.ofSeconds(1))));
        ArrivalPlanner p = constant(s, start);
        int[] perSecond = countPerBin(arrivalsBefore(p, start + 3 * SEC), start, SEC, 3);
        assertEquals(100, perSecond[0], 1);
        assertEquals(1000, perSecond[1], 1);
        assertEquals(1000, perSecond[2], 1, "the last step's rate is held after the end");
    }

    @Test
    void aLongGapPlannedAtALowStepIsSpentAtTheNewRateAfterTheStep() {
        // 0.5/s for 1 s (half a gap spent), then 1000/s: the other half gap takes 0.5 ms.
        StepRate s = new StepRate(List.of(new StepRate.Step(0.5, Duration.ofSeconds(1)),
                new StepRate.Step(1000, Duration.ofSeconds(1))));
        ArrivalPlanner p = constant(s, ORIGIN);
        assertEquals(ORIGIN, p.due());
        assertEquals(ORIGIN + SEC + 500_000L, p.next());
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void rampRatePerSecondCountsRiseLinearly(long start) {
        RampRate r = new RampRate(0, 1000, Duration.ofSeconds(10));
        ArrivalPlanner p = constant(r, start);
        int[] perSecond = countPerBin(arrivalsBefore(p, start + 10 * SEC), start, SEC, 10);
        for (int k = 0; k < 10; k++) {
            // integral of 100 t over [k, k+1]
            assertEquals(100 * k + 50, perSecond[k], 1.0, "second " + k + " of " + Arrays.toString(perSecond));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void rampRateTotalEqualsTheIntegral(long start) {
        RampRate r = new RampRate(0, 1000, Duration.ofSeconds(10));
        ArrivalPlanner p = constant(r, start);
        long[] a = arrivalsBefore(p, start + 10 * SEC);
        assertEquals(5000, a.length, 2);
    }

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void sineRateMeanCountOverWholePeriodsIsTheMeanRate(long start) {
        SineRate s = new SineRate(500, 300, Duration.ofSeconds(10));
        long[] a = arrivalsBefore(constant(s, start), start + 30 * SEC);
        assertEquals(500 * 30, a.length, 500 * 30 * 0.01);
        // and it does swing: the rising half-period carries more than the falling one.
        int[] halves = countPerBin(a, start, 5 * SEC, 6);
        for (int period = 0; period < 3; period++) {
            int high = halves[2 * period];
            int low = halves[2 * period + 1];
            // integral of 300 sin over a half period of 5 s = 300 * 5 * 2 / pi
            double swing = 300 * 5 * 2 / Math.PI;
            assertEquals(2500 + swing, high, 25, "period " + period);
            assertEquals(2500 - swing, low, 25, "period " + period);
        }
    }

    @Test
    void traceOfRatesReplaysPerSecondCounts(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("rates.txt");
        Files.writeString(f, "# per-second rates\n100\n300\n\n0\n50\n");
        TraceRate t = RateProfiles.readTrace("rates", f);
        for (long start : new long[] {ORIGIN, NEG_ORIGIN}) {
            long[] a = arrivalsBefore(constant(t, start), start + 6 * SEC);
            int[] perSecond = countPerBin(a, start, SEC, 6);
            int[] expected = {100, 300, 0, 50, 50, 50};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], perSecond[i], 1, "second " + i + " of " + Arrays.toString(perSecond));
            }
        }
    }

    @Test
    void traceOfTimestampsReplaysPer10msBinCounts(@TempDir Path dir) throws IOException {
        // bin counts: 3, 0, 1, 5, 2 (timestamps placed mid-bin)
        int[] binCounts = {3, 0, 1, 5, 2};
        StringBuilder sb = new StringBuilder();
        for (int bin = 0; bin < binCounts.length; bin++) {
            for (int k = 0; k < binCounts[bin]; k++) {
                sb.append(String.format(java.util.Locale.ROOT, "%.4f%n", bin * 0.01 + 0.001 + k * 0.001));
            }
        }
        Path f = dir.resolve("ts.txt");
        Files.writeString(f, sb.toString());
        TraceRate t = RateProfiles.readTrace("timestamps", f);
        assertEquals(Duration.ofMillis(10), t.bin());
        long start = NEG_ORIGIN;
        long[] a = arrivalsBefore(constant(t, start), start + 50 * MS);
        assertEquals(Arrays.stream(binCounts).sum(), a.length, 1);
        int[] perBin = countPerBin(a, start, 10 * MS, binCounts.length);
        for (int i = 0; i < binCounts.length; i++) {
            assertEquals(binCounts[i], perBin[i], 1, "bin " + i + " of " + Arrays.toString(perBin));
        }
    }

    // ------------------------------------------------------------------ changing the profile

    @ParameterizedTest
    @ValueSource(longs = {ORIGIN, NEG_ORIGIN})
    void changeProfileReplansThePendingGap(long start) {
        ArrivalPlanner p = constant(new ConstantRate(0.1), start);
        assertEquals(start, p.due());
        assertEquals(start + 10 * SEC, p.next());
        long at = start + SEC;
        // 0.1 of the gap was spent in the first second; the remaining 0.9 at 100/s takes 9 ms.
        long due = p.changeProfile(new ConstantRate(100), at);
        assertEquals(at + 9 * MS, due, 1);
        assertEquals(due, p.due());
        assertEquals(new ConstantRate(100), p.profile());
        // the following gaps are at the new rate
        assertEquals(due + 10 * MS, p.next(), 1);
    }

    @Test
    void changeProfileToAStepUsesTheNewProfilesOwnClock() {
        ArrivalPlanner p = constant(new ConstantRate(1), ORIGIN);
        p.next(); // due at +1 s
        long at = ORIGIN + 500 * MS; // half a gap spent
        // new profile: 0 for 2 s, then 1000/s: the remaining half gap takes 0.5 ms after the step
        StepRate s = new StepRate(List.of(new StepRate.Step(0, Duration.ofSeconds(2)),
                new StepRate.Step(1000, Duration.ofSeconds(1))));
        assertEquals(at + 2 * SEC + 500_000L, p.changeProfile(s, at), 1);
    }

    @Test
    void changeProfileKeepsAnOverdueArrivalDue() {
        ArrivalPlanner p = constant(new ConstantRate(0.1), ORIGIN);
        long due = p.next();
        assertEquals(ORIGIN + 10 * SEC, due);
        assertEquals(due, p.changeProfile(new ConstantRate(100), ORIGIN + 15 * SEC));
        assertEquals(due, p.due());
        assertEquals(new ConstantRate(100), p.profile());
    }

    @Test
    void afterAnOverdueArrivalTheNextFollowsTheNewProfileFromTheChange() {
        ArrivalPlanner p = constant(new ConstantRate(0.1), ORIGIN);
        p.next(); // due at +10 s
        long at = ORIGIN + 15 * SEC;
        p.changeProfile(new ConstantRate(100), at);
        long next = p.next();
        assertTrue(next >= at, "next arrival " + (next - ORIGIN) + " ns after start is before the change");
        // 0.5 unit spent at 0.1/s between 10 s and 15 s, the other 0.5 at 100/s
        assertEquals(at + 5 * MS, next, 1);
    }

    @Test
    void changeProfileToZeroStopsArrivals() {
        ArrivalPlanner p = constant(new ConstantRate(1000), ORIGIN);
        p.next();
        assertEquals(ArrivalPlanner.NEVER, p.changeProfile(new ConstantRate(0), ORIGIN + 100_000L));
        assertEquals(ArrivalPlanner.NEVER, p.due());
        assertEquals(ArrivalPlanner.NEVER, p.next());
    }

    // ------------------------------------------------------------------ Poisson

    private static double[] poissonGapsMillis(long seed, double rate, int n, long start) {
        ArrivalPlanner p = new ArrivalPlanner(Arrival.POISSON.create(seed), new ConstantRate(rate), start);
        double[] gaps = new double[n];
        long prev = start;
        long due = p.due();
        for (int i = 0; i < n; i++) {
            gaps[i] = (due - prev) / 1e6;
            prev = due;
            due = p.next();
        }
        return gaps;
    }

    @Test
    void poissonGapsAreExponential() {
        double[] gaps = poissonGapsMillis(42, 1000, 20_000, NEG_ORIGIN);
        double pValue = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new ExponentialDistribution(1.0), gaps);
        assertTrue(pValue > 0.01, "KS p-value " + pValue);
        double mean = Arrays.stream(gaps).average().orElseThrow();
        assertEquals(1.0, mean, 0.03);
    }

    @Test
    void theKsTestRejectsConstantGaps() {
        ArrivalPlanner p = constant(new ConstantRate(1000), ORIGIN);
        java.util.SplittableRandom jitter = new java.util.SplittableRandom(3);
        double[] gaps = new double[20_000];
        long prev = p.due();
        for (int i = 0; i < gaps.length; i++) {
            long next = p.next();
            gaps[i] = (next - prev) / 1e6 + jitter.nextDouble(-1e-6, 1e-6);
            prev = next;
        }
        double pValue = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new ExponentialDistribution(1.0), gaps);
        assertTrue(pValue < 1e-6, "KS p-value " + pValue);
    }

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        double[] a = poissonGapsMillis(1234, 1000, 1000, ORIGIN);
        double[] b = poissonGapsMillis(1234, 1000, 1000, ORIGIN);
        double[] c = poissonGapsMillis(1235, 1000, 1000, ORIGIN);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        long same = java.util.stream.IntStream.range(0, a.length).filter(i -> a[i] == c[i]).count();
        assertTrue(same < 10, same + " equal gaps out of 1000");
    }

    @Test
    void poissonFirstArrivalIsNotAtTheStartButAfterARandomGap() {
        ArrivalPlanner p = new ArrivalPlanner(Arrival.POISSON.create(5), new ConstantRate(1000), ORIGIN);
        assertTrue(p.due() > ORIGIN);
        assertEquals(Arrival.POISSON, Arrival.POISSON.create(5).kind());
        assertEquals(Arrival.CONSTANT, Arrival.CONSTANT.create(5).kind());
    }

    private static double indexOfDispersion(int[] counts) {
        double mean = Arrays.stream(counts).average().orElseThrow();
        double var = Arrays.stream(counts).mapToDouble(c -> (c - mean) * (c - mean)).sum() / (counts.length - 1);
        return var / mean;
    }

    @Test
    void poissonCountsPerWindowHaveIndexOfDispersionNearOne() {
        int windows = 1000;
        ArrivalPlanner p = new ArrivalPlanner(Arrival.POISSON.create(99), new ConstantRate(1000), NEG_ORIGIN);
        long[] a = arrivalsBefore(p, NEG_ORIGIN + windows * 100 * MS);
        int[] counts = countPerBin(a, NEG_ORIGIN, 100 * MS, windows);
        assertEquals(100, Arrays.stream(counts).average().orElseThrow(), 2);
        double d = indexOfDispersion(counts);
        assertTrue(d >= 0.85 && d <= 1.15, "index of dispersion " + d);

        long[] c = arrivalsBefore(constant(new ConstantRate(1000), NEG_ORIGIN), NEG_ORIGIN + windows * 100 * MS);
        double dc = indexOfDispersion(countPerBin(c, NEG_ORIGIN, 100 * MS, windows));
        assertTrue(dc < 0.05, "constant arrivals' index of dispersion " + dc);
    }

    @Test
    void poissonFollowsAStepInRate() {
        StepRate s = new StepRate(List.of(new StepRate.Step(200, Duration.ofSeconds(5)),
                new StepRate.Step(2000, Duration.ofSeconds(5))));
        ArrivalPlanner p = new ArrivalPlanner(Arrival.POISSON.create(11), s, ORIGIN);
        int[] halves = countPerBin(arrivalsBefore(p, ORIGIN + 10 * SEC), ORIGIN, 5 * SEC, 2);
        // Poisson counts: sd sqrt(1000) ~ 32, sqrt(10000) = 100
        assertEquals(1000, halves[0], 5 * Math.sqrt(1000));
        assertEquals(10_000, halves[1], 5 * Math.sqrt(10_000));
    }
}
