package io.loadgen.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    /** One interval: its histograms and its stats built from them. */
    private record Interval(IntervalStats stats, IntervalHistograms histograms) {
    }

    private static Histogram hist(long micros, int count) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(micros, count);
        return h;
    }

    private static Interval interval(long index, Duration length, Counts counts, Histogram latency,
            Histogram service, Histogram lag) {
        IntervalStats s = new IntervalStats(index, false, T0.plus(length.multipliedBy(index)), length, 100 + index, counts,
                (int) index, (int) (2 * index), LatencySummary.of(latency), LatencySummary.of(service),
                LatencySummary.of(lag), 0);
        return new Interval(s, new IntervalHistograms(latency, service, lag));
    }

    private static Interval interval(long index, long latencyMicros, int n) {
        Counts c = new Counts(n + index, n, index, n, n - 1, new ErrorCounts(1, 0, 0, 0, 0), 0, 0);
        return interval(index, Duration.ofSeconds(1), c, hist(latencyMicros, n), hist(latencyMicros / 2, n),
                hist(10 + index, n));
    }

    private static void add(SlidingWindow w, Interval i) {
        w.add(i.stats(), i.histograms());
    }

    @Test
    void constructorRejectsAnEmptyWindow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(0));
        assertTrue(e.getMessage().contains("window size") && e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SlidingWindow(-3));
        assertEquals(1, new SlidingWindow(1).size());
    }

    @Test
    void emptyBeforeTheFirstInterval() {
        SlidingWindow w = new SlidingWindow(5);
        assertSame(WindowStats.EMPTY, w.snapshot());
        assertTrue(w.snapshot().intervals().isEmpty());
        assertNull(w.snapshot().aggregate());
        assertNull(w.snapshot().latest());
    }

    @Test
    void keepsAtMostSizeIntervalsEvictingTheOldest() {
        SlidingWindow w = new SlidingWindow(3);
        List<Interval> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Interval iv = interval(i, 1000 * (i + 1), 10 * (i + 1));
            all.add(iv);
            add(w, iv);
            WindowStats snap = w.snapshot();
            int kept = Math.min(i + 1, 3);
            assertEquals(kept, snap.intervals().size());
            assertEquals(all.subList(i + 1 - kept, i + 1).stream().map(Interval::stats).toList(), snap.intervals());
            assertSame(iv.stats(), snap.latest());
        }
        WindowStats snap = w.snapshot();
        assertEquals(2, snap.intervals().get(0).index());
        assertEquals(2, snap.aggregate().index(), "the aggregate starts at the oldest kept interval");
        assertEquals(all.get(2).stats().start(), snap.aggregate().start());
    }

    @Test
    void aggregateCountsAndLengthAreSumsOfTheKeptIntervals() {
        SlidingWindow w = new SlidingWindow(2);
        Interval a = interval(0, Duration.ofMillis(1000), new Counts(10, 9, 1, 8, 6, new ErrorCounts(1, 1, 0, 0, 0), 0, 0),
                hist(1000, 8), hist(500, 8), hist(5, 10));
        Interval b = interval(1, Duration.ofMillis(500), new Counts(20, 18, 2, 17, 12, new ErrorCounts(0, 0, 3, 2, 0), 0, 0),
                hist(2000, 17), hist(900, 17), hist(7, 20));
        Interval c = interval(2, Duration.ofMillis(250), new Counts(40, 40, 0, 39, 30, new ErrorCounts(0, 0, 0, 0, 9), 0, 0),
                hist(3000, 39), hist(1500, 39), hist(9, 40));
        add(w, a);
        add(w, b);
        IntervalStats agg = w.snapshot().aggregate();
        assertEquals(new Counts(30, 27, 3, 25, 18, new ErrorCounts(1, 1, 3, 2, 0), 0, 0), agg.counts());
        assertEquals(Duration.ofMillis(1500), agg.length());
        assertEquals(20, agg.offeredRate(), 1e-9);
        assertEquals(25, agg.latency().count());
        assertEquals(b.stats().targetRate(), agg.targetRate(), "target rate at the end of the span");
        assertEquals(b.stats().inFlight(), agg.inFlight());
        assertEquals(b.stats().queued(), agg.queued());

        add(w, c); // a is evicted
        agg = w.snapshot().aggregate();
        assertEquals(b.stats().counts().plus(c.stats().counts()), agg.counts());
        assertEquals(new Counts(60, 58, 2, 56, 42, new ErrorCounts(0, 0, 3, 2, 9), 0, 0), agg.counts());
        assertEquals(Duration.ofMillis(750), agg.length());
        assertEquals(56, agg.latency().count());
        assertEquals(56, agg.serviceTime().count());
        assertEquals(60, agg.sendLag().count());
        assertTrue(agg.latency().max().toNanos() >= 2_990_000 && agg.latency().p50().toNanos() < 3_100_000);
        assertTrue(agg.latency().p50().toNanos() > 1_990_000, "a's 1 ms values are gone: " + agg.latency());
    }

    @Test
    void aggregateP99ComesFromTheMergedHistogramNotAveragedPercentiles() {
        SlidingWindow w = new SlidingWindow(10);
        Interval fast = interval(0, Duration.ofSeconds(1), new Counts(1000, 1000, 0, 1000, 1000, ErrorCounts.NONE, 0, 0),
                hist(1_000, 1000), hist(1_000, 1000), hist(1, 1000));
        Interval slow = interval(1, Duration.ofSeconds(1), new Counts(1000, 1000, 0, 1000, 1000, ErrorCounts.NONE, 0, 0),
                hist(100_000, 1000), hist(90_000, 1000), hist(1, 1000));
        add(w, fast);
        add(w, slow);

        Histogram all = new Histogram(3);
        all.add(fast.histograms().latency());
        all.add(slow.histograms().latency());
        IntervalStats agg = w.snapshot().aggregate();
        assertEquals(LatencySummary.of(all), agg.latency());

        double windowP99Ms = agg.latency().p99().toNanos() / 1e6;
        double meanOfP99sMs = (fast.stats().latency().p99().toNanos() + slow.stats().latency().p99().toNanos())
                / 2.0 / 1e6;
        assertEquals(100, windowP99Ms, 0.1);
        assertEquals(50.5, meanOfP99sMs, 0.1);
        assertEquals(50.5, agg.latency().p50().toNanos() / 1e6, 49.6, "median lies between the two modes");
        assertEquals(90, agg.serviceTime().p99().toNanos() / 1e6, 0.1);
        assertEquals(50.5, agg.latency().mean().toNanos() / 1e6, 0.1);
    }

    @Test
    void aggregateOfRealisticSpreadsEqualsOneHistogramHoldingEverything() {
        SlidingWindow w = new SlidingWindow(4);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        List<Interval> kept = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Histogram lat = new Histogram(3);
            int n = 200 + 300 * i;
            for (int k = 0; k < n; k++) {
                lat.recordValue((long) (1000 * (i + 1) * -Math.log(1 - rnd.nextDouble())));
            }
            Interval iv = interval(i, Duration.ofSeconds(1), new Counts(n, n, 0, n, n, ErrorCounts.NONE, 0, 0), lat,
                    hist(10, n), hist(1, n));
            add(w, iv);
            kept.add(iv);
            if (kept.size() > 4) {
                kept.remove(0);
            }
        }
        Histogram all = new Histogram(3);
        kept.forEach(iv -> all.add(iv.histograms().latency()));
        assertEquals(LatencySummary.of(all), w.snapshot().aggregate().latency());
    }

    @Test
    void theWindowDoesNotModifyTheIntervalsHistograms() {
        SlidingWindow w = new SlidingWindow(3);
        Interval a = interval(0, 1000, 10);
        Interval b = interval(1, 5000, 20);
        add(w, a);
        add(w, b);
        add(w, interval(2, 7000, 30));
        assertEquals(10, a.histograms().latency().getTotalCount());
        assertEquals(20, b.histograms().latency().getTotalCount());
    }

    @Test
    void latencySummaryOfHistogram() {
        Histogram h = new Histogram(3);
        for (int v = 1; v <= 1000; v++) {
            h.recordValue(v);
        }
        LatencySummary s = LatencySummary.of(h);
        assertEquals(1000, s.count());
        assertEquals(Duration.ofNanos(500_000), s.p50());
        assertEquals(Duration.ofNanos(900_000), s.p90());
        assertEquals(Duration.ofNanos(990_000), s.p99());
        assertEquals(Duration.ofNanos(999_000), s.p999());
        assertEquals(Duration.ofNanos(1_000_000), s.max());
        assertEquals(Duration.ofNanos(500_500), s.mean());
        assertSame(LatencySummary.EMPTY, LatencySummary.of(new Histogram(3)));
    }
}
