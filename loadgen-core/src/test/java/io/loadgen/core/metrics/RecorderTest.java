package io.loadgen.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RecorderTest {
    private static final long T0 = -7_000_000_000L; // nanoTime readings may be negative
    private static final long MS = 1_000_000L;

    private static void assertOnlyValue(Histogram h, long micros) {
        assertEquals(1, h.getTotalCount(), "count");
        assertTrue(h.valuesAreEquivalent(micros, h.getMaxValue()), "expected ~" + micros + "us, max " + h.getMaxValue());
        assertTrue(h.valuesAreEquivalent(micros, h.getMinValue()), "expected ~" + micros + "us, min " + h.getMinValue());
    }

    @Test
    void sampleHandsOverTheCountsAndResets() {
        Recorder r = new Recorder();
        for (int i = 0; i < 7; i++) {
            r.scheduled(1000);
        }
        for (int i = 0; i < 5; i++) {
            r.sent();
        }
        r.dropped();
        r.dropped();
        r.ended(Outcome.OK, T0, T0, T0 + MS);

        Recorder.Sample s = r.sample();
        assertEquals(7, s.counts().scheduled());
        assertEquals(5, s.counts().sent());
        assertEquals(2, s.counts().dropped());
        assertEquals(1, s.counts().completed());
        assertEquals(7, s.histograms().sendLag().getTotalCount());
        assertEquals(1, s.histograms().latency().getTotalCount());

        Recorder.Sample second = r.sample();
        assertEquals(Counts.ZERO, second.counts());
        assertEquals(0, second.histograms().latency().getTotalCount());
        assertEquals(0, second.histograms().serviceTime().getTotalCount());
        assertEquals(0, second.histograms().sendLag().getTotalCount());

        r.sent();
        assertEquals(1, r.sample().counts().sent(), "recording goes on after a sample");
    }

    @Test
    void outcomesAreCountedByKind() {
        Recorder r = new Recorder();
        int[] n = {6, 1, 2, 3, 4, 5}; // OK, CONNECT, TIMEOUT, HTTP_4XX, HTTP_5XX, OTHER
        Outcome[] kinds = Outcome.values();
        assertEquals(n.length, kinds.length);
        for (int k = 0; k < kinds.length; k++) {
            for (int i = 0; i < n[k]; i++) {
                r.ended(kinds[k], T0, T0, T0 + MS);
            }
        }
        Counts c = r.sample().counts();
        assertEquals(6, c.ok());
        assertEquals(new ErrorCounts(1, 2, 3, 4, 5), c.errors());
        assertEquals(15, c.errors().total());
        assertEquals(c.ok() + c.errors().total(), c.completed());
        assertEquals(21, c.completed());
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
    void latencyIsFromTheIntendedTimeAndServiceTimeFromTheWrittenTime() {
        Recorder r = new Recorder();
        long intended = T0;
        long written = T0 + 7 * MS; // the request waited 7 ms in the client
        long end = T0 + 10 * MS;
        r.ended(Outcome.OK, intended, written, end);
        Recorder.Sample s = r.sample();
        assertOnlyValue(s.histograms().latency(), 10_000);
        assertOnlyValue(s.histograms().serviceTime(), 3_000);
        assertEquals(0, s.histograms().sendLag().getTotalCount());
    }

    @Test
    void errorResponsesHaveLatencyToo() {
        Recorder r = new Recorder();
        r.ended(Outcome.HTTP_5XX, T0, T0 + MS, T0 + 250 * MS);
        r.ended(Outcome.HTTP_4XX, T0, T0 + MS, T0 + 250 * MS);
        Recorder.Sample s = r.sample();
        assertEquals(2, s.histograms().latency().getTotalCount());
        assertTrue(s.histograms().latency().valuesAreEquivalent(250_000, s.histograms().latency().getMaxValue()));
        assertTrue(s.histograms().serviceTime().valuesAreEquivalent(249_000,
                s.histograms().serviceTime().getMaxValue()));
    }

    @Test
    void microsecondsAreRounded() {
        Recorder r = new Recorder();
        r.ended(Outcome.OK, T0, T0, T0 + 1_499); // 1.499 us -> 1
        r.ended(Outcome.OK, T0, T0, T0 + 1_500); // 1.5 us -> 2
        Histogram h = r.sample().histograms().latency();
        assertEquals(1, h.getCountAtValue(1));
        assertEquals(1, h.getCountAtValue(2));
    }

    @Test
    void notSentRecordsNoServiceTime() {
        Recorder r = new Recorder();
        r.ended(Outcome.OK, T0, Recorder.NOT_SENT, T0 + 5 * MS);
        Recorder.Sample s = r.sample();
        assertOnlyValue(s.histograms().latency(), 5_000);
        assertEquals(0, s.histograms().serviceTime().getTotalCount());
        assertEquals(1, s.counts().ok());
    }

    @Test
    void errorsWithoutResponseRecordNoLatency() {
        Recorder r = new Recorder();
        r.ended(Outcome.CONNECT, T0, Recorder.NOT_SENT, T0 + 5 * MS);
        r.ended(Outcome.TIMEOUT, T0, T0 + MS, T0 + 30_000 * MS);
        r.ended(Outcome.OTHER, T0, T0 + MS, T0 + 2 * MS);
        Recorder.Sample s = r.sample();
        assertEquals(0, s.histograms().latency().getTotalCount());
        assertEquals(0, s.histograms().serviceTime().getTotalCount());
        assertEquals(3, s.counts().completed());
        assertEquals(3, s.counts().errors().total());
        assertEquals(0, s.counts().ok());
    }

    @Test
    void sendLagIsRecordedInMicrosAndNegativeLagIsZero() {
        Recorder r = new Recorder();
        r.scheduled(2 * MS);
        r.scheduled(-5 * MS);
        Histogram lag = r.sample().histograms().sendLag();
        assertEquals(2, lag.getTotalCount());
        assertEquals(1, lag.getCountAtValue(0));
        assertTrue(lag.valuesAreEquivalent(2_000, lag.getMaxValue()));
    }

    @Test
    void hoursOfLatencyAreKept() {
        Recorder r = new Recorder();
        long twoHours = 2L * 3600 * 1000 * MS;
        r.ended(Outcome.OK, T0, T0, T0 + twoHours);
        Histogram h = r.sample().histograms().latency();
        assertTrue(h.valuesAreEquivalent(twoHours / 1000, h.getMaxValue()), "max " + h.getMaxValue());
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws InterruptedException {
        Recorder r = new Recorder();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    r.scheduled(1000);
                    r.sent();
                    r.ended(Outcome.OK, T0, T0, T0 + MS);
                }
            });
            threads[t].start();
        }
        long scheduled = 0;
        long completed = 0;
        long latencies = 0;
        while (threads[0].isAlive() || threads[1].isAlive() || threads[2].isAlive() || threads[3].isAlive()) {
            Recorder.Sample s = r.sample();
            scheduled += s.counts().scheduled();
            completed += s.counts().completed();
            latencies += s.histograms().latency().getTotalCount();
        }
        for (Thread t : threads) {
            t.join();
        }
        Recorder.Sample s = r.sample();
        scheduled += s.counts().scheduled();
        completed += s.counts().completed();
        latencies += s.histograms().latency().getTotalCount();
        assertEquals(40_000, scheduled);
        assertEquals(40_000, completed);
        assertEquals(40_000, latencies);
    }

    @Test
    void runTotalsAddIntervals() {
        Recorder r = new Recorder();
        RunTotals totals = new RunTotals();
        r.scheduled(0);
        r.ended(Outcome.OK, T0, T0, T0 + MS);
        Recorder.Sample a = r.sample();
        totals.add(a.counts(), a.histograms());
        r.scheduled(0);
        r.ended(Outcome.HTTP_5XX, T0, T0, T0 + 100 * MS);
        Recorder.Sample b = r.sample();
        totals.add(b.counts(), b.histograms());
        assertEquals(2, totals.intervals());
        assertEquals(2, totals.counts().scheduled());
        assertEquals(1, totals.counts().errors().http5xx());
        assertEquals(2, totals.latency().count());
        assertEquals(100, totals.latency().max().toMillis(), 1);
        assertEquals(1, totals.latency().p50().toMillis(), 1);
    }
}
