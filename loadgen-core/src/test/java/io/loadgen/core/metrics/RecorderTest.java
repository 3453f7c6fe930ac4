package io.loadgen.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RecorderTest {
    private static final long T0 = -7_000_000_000L; // nanoTime readings may be negative
    private static final long MS = 1_000_000L;
    private static final long S = 1000 * MS;
    private static final Recorder.Gauge GAUGE = new Recorder.Gauge(3, 1, 0);

    private static Recorder recorder() {
        return new Recorder(T0, Duration.ofSeconds(1));
    }

    private static List<Recorder.Sealed> seal(Recorder r, long now) {
        return r.sealReady(now, () -> GAUGE);
    }

    private static void assertOnlyValue(Histogram h, long micros) {
        assertEquals(1, h.getTotalCount(), "count");
        assertTrue(h.valuesAreEquivalent(micros, h.getMaxValue()), "expected ~" + micros + "us, max " + h.getMaxValue());
    }

    @Test
    void aRequestCountsInTheIntervalOfItsIntendedTimeEvenWhenItEndsLater() {
        Recorder r = recorder();
        Recorder.Bucket first = r.bucketOf(T0 + 900 * MS);
        first.scheduled(0);
        first.sent();
        r.closeArrivalsBefore(T0 + 2 * S);
        assertEquals(List.of(), seal(r, T0 + 1500 * MS), "interval 0 waits for its request in flight");
        // a request of interval 1 that ends at once does not make interval 0 any later or earlier
        Recorder.Bucket second = r.bucketOf(T0 + 1100 * MS);
        second.scheduled(0);
        second.sent();
        second.ended(Outcome.OK, T0 + 1100 * MS, T0 + 1100 * MS, T0 + 1101 * MS, true);
        assertEquals(List.of(), seal(r, T0 + 2500 * MS), "intervals are sealed in order");
        first.ended(Outcome.OK, T0 + 900 * MS, T0 + 900 * MS, T0 + 2600 * MS, true);
        List<Recorder.Sealed> sealed = seal(r, T0 + 2700 * MS);
        assertEquals(2, sealed.size());
        Recorder.Sealed a = sealed.get(0);
        assertEquals(0, a.index());
        assertEquals(1, a.counts().completed());
        assertOnlyValue(a.histograms().latency(), 1_700_000);
        assertEquals(GAUGE, a.gauge());
        assertEquals(1, sealed.get(1).counts().completed());
        assertEquals(2, r.sealed());
    }

    @Test
    void anIntervalIsNotSealedWhileArrivalsMayStillComeOrBeforeItEnds() {
        Recorder r = recorder();
        r.closeArrivalsBefore(T0 + 500 * MS);
        assertEquals(List.of(), seal(r, T0 + 3 * S), "the scheduler has not passed the end of interval 0");
        r.closeArrivalsBefore(T0 + 3 * S);
        assertEquals(List.of(), seal(r, T0 + 999 * MS), "interval 0 has not ended");
        assertEquals(2, seal(r, T0 + 2 * S).size(), "empty intervals are sealed too, in order");
        r.closeArrivalsBefore(T0 + S); // smaller bounds are ignored
        assertEquals(T0 + 3 * S, r.arrivalsClosedBefore());
    }

    @Test
    void aRequestArrivingForASealedIntervalIsABug() {
        Recorder r = recorder();
        r.closeArrivalsBefore(T0 + 2 * S);
        assertEquals(1, seal(r, T0 + 1500 * MS).size());
        assertThrows(IllegalStateException.class, () -> r.bucketOf(T0 + 500 * MS));
    }

    @Test
    void theLastIntervalIsCutAtTheEndOfScheduling() {
        Recorder r = recorder();
        Recorder.Bucket b = r.bucketOf(T0 + 1200 * MS);
        b.scheduled(0);
        b.dropped();
        r.endSchedule(T0 + 1250 * MS);
        List<Recorder.Sealed> sealed = seal(r, T0 + 1300 * MS);
        assertEquals(2, sealed.size());
        assertEquals(S, sealed.get(0).lengthNanos());
        assertEquals(250 * MS, sealed.get(1).lengthNanos());
        assertEquals(1, sealed.get(1).counts().dropped());
        assertEquals(List.of(), seal(r, T0 + 10 * S), "nothing after the end");
    }

    @Test
    void timeoutsFailuresAndUnfinishedRequestsAreTimedFromTheirIntendedSend() {
        Recorder r = recorder();
        Recorder.Bucket b = r.bucketOf(T0);
        for (int i = 0; i < 4; i++) {
            b.scheduled(0);
            b.sent();
        }
        b.ended(Outcome.TIMEOUT, T0, T0 + MS, T0 + 1001 * MS, true);
        b.ended(Outcome.CONNECT, T0, Recorder.NOT_WRITTEN, T0 + 2 * MS, true);
        b.ended(Outcome.HTTP_5XX, T0, T0 + MS, T0 + 5 * MS, false);
        b.unfinished(T0, T0 + MS, T0 + 30 * S);
        r.endSchedule(T0 + 100 * MS);
        Recorder.Sealed s = seal(r, T0 + 31 * S).get(0);
        Histogram latency = s.histograms().latency();
        assertEquals(4, latency.getTotalCount(), "every sent request is timed");
        assertTrue(latency.valuesAreEquivalent(30_000_000, latency.getMaxValue()), "unfinished at 30 s");
        assertEquals(1, latency.getCountBetweenValues(1_000_000, 1_002_000), "the timeout, never below it");
        assertEquals(3, s.histograms().serviceTime().getTotalCount(), "the connect failure was never written");
        assertEquals(3, s.counts().completed());
        assertEquals(1, s.counts().unfinished());
        assertEquals(s.counts().sent(), s.counts().completed() + s.counts().unfinished());
        assertEquals(2, s.completedBeforeScheduleEnd());
        assertEquals(new ErrorCounts(1, 1, 0, 1, 0), s.counts().errors());
    }

    @Test
    void latencyIsFromTheIntendedTimeAndServiceTimeFromTheWrittenTime() {
        Recorder r = recorder();
        Recorder.Bucket b = r.bucketOf(T0);
        b.scheduled(3 * MS);
        b.waited();
        b.sent();
        b.ended(Outcome.OK, T0, T0 + 7 * MS, T0 + 10 * MS, true);
        r.endSchedule(T0 + S);
        Recorder.Sealed s = seal(r, T0 + S).get(0);
        assertOnlyValue(s.histograms().latency(), 10_000);
        assertOnlyValue(s.histograms().serviceTime(), 3_000);
        assertOnlyValue(s.histograms().sendLag(), 3_000);
        assertEquals(1, s.counts().waited());
    }

    @Test
    void outcomesAreCountedByKind() {
        Recorder r = recorder();
        Recorder.Bucket b = r.bucketOf(T0);
        int[] n = {6, 1, 2, 3, 4, 5, 7}; // OK, CONNECT, TIMEOUT, HTTP_4XX, HTTP_5XX, OTHER, CHECK
        Outcome[] kinds = Outcome.values();
        assertEquals(n.length, kinds.length);
        for (int k = 0; k < kinds.length; k++) {
            for (int i = 0; i < n[k]; i++) {
                b.scheduled(0);
                b.sent();
                b.ended(kinds[k], T0, T0, T0 + MS, true);
            }
        }
        r.endSchedule(T0 + S);
        Counts c = seal(r, T0 + S).get(0).counts();
        assertEquals(6, c.ok());
        assertEquals(new ErrorCounts(1, 2, 3, 4, 5, 7), c.errors());
        assertEquals(28, c.completed());
        assertEquals(28, c.scheduled());
    }

    @Test
    void outcomeOfStatus() {
        assertEquals(Outcome.OK, Outcome.ofStatus(200));
        assertEquals(Outcome.OK, Outcome.ofStatus(399));
        assertEquals(Outcome.HTTP_4XX, Outcome.ofStatus(400));
        assertEquals(Outcome.HTTP_4XX, Outcome.ofStatus(499));
        assertEquals(Outcome.HTTP_5XX, Outcome.ofStatus(500));
        assertTrue(Outcome.HTTP_5XX.hasResponse());
        assertFalse(Outcome.TIMEOUT.hasResponse());
    }

    @Test
    void microsecondsAreRoundedAndNegativeLagIsZero() {
        assertEquals(1, Recorder.micros(1_499));
        assertEquals(2, Recorder.micros(1_500));
        assertEquals(0, Recorder.micros(-5 * MS));
    }

    @Test
    void hoursOfLatencyAreKept() {
        Recorder r = recorder();
        long twoHours = 2L * 3600 * S;
        Recorder.Bucket b = r.bucketOf(T0);
        b.scheduled(0);
        b.sent();
        b.ended(Outcome.OK, T0, T0, T0 + twoHours, false);
        r.endSchedule(T0 + S);
        Histogram h = seal(r, T0 + twoHours).get(0).histograms().latency();
        assertTrue(h.valuesAreEquivalent(twoHours / 1000, h.getMaxValue()), "max " + h.getMaxValue());
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws InterruptedException {
        Recorder r = recorder();
        Recorder.Bucket b = r.bucketOf(T0);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    b.scheduled(1000);
                    b.sent();
                    b.ended(Outcome.OK, T0, T0, T0 + MS, true);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        r.endSchedule(T0 + S);
        Recorder.Sealed s = seal(r, T0 + S).get(0);
        assertEquals(40_000, s.counts().scheduled());
        assertEquals(40_000, s.counts().completed());
        assertEquals(40_000, s.histograms().latency().getTotalCount());
        assertEquals(40_000, s.histograms().sendLag().getTotalCount());
    }

    @Test
    void runTotalsAddIntervals() {
        Recorder r = recorder();
        Recorder.Bucket a = r.bucketOf(T0);
        a.scheduled(0);
        a.sent();
        a.ended(Outcome.OK, T0, T0, T0 + MS, true);
        Recorder.Bucket b = r.bucketOf(T0 + S);
        b.scheduled(0);
        b.sent();
        b.ended(Outcome.HTTP_5XX, T0 + S, T0 + S, T0 + S + 100 * MS, false);
        r.endSchedule(T0 + 2 * S);
        RunTotals totals = new RunTotals();
        for (Recorder.Sealed s : seal(r, T0 + 3 * S)) {
            totals.add(s.counts(), s.histograms(), s.completedBeforeScheduleEnd());
        }
        assertEquals(2, totals.intervals());
        assertEquals(2, totals.counts().scheduled());
        assertEquals(1, totals.counts().errors().http5xx());
        assertEquals(1, totals.completedBeforeEnd());
        assertEquals(2, totals.latency().count());
        assertEquals(100, totals.latency().max().toMillis(), 1);
    }
}
