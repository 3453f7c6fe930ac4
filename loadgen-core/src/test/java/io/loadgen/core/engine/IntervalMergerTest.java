package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The merge of the lanes' intervals into the run's. */
class IntervalMergerTest {
    private static final long S = 1_000_000_000L;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // the bug this guards against looped until the heap was gone
    void lanesThatFinishedBeforeTheRunKnowsItEndedYieldTheirIntervalsAndNoMore() {
        // two lanes whose schedules ended at 2.25 s and 2.5 s, sealed; the caller still passes "no end yet"
        Recorder a = new Recorder(0, Duration.ofSeconds(1));
        Recorder b = new Recorder(0, Duration.ofSeconds(1));
        a.endSchedule(9 * S / 4);
        b.endSchedule(5 * S / 2);
        IntervalMerger m = new IntervalMerger(List.of(a, b));
        Recorder.Gauge g = new Recorder.Gauge(0, 0, 0);
        List<Recorder.Sealed> out = m.poll(10 * S, i -> () -> g, Long.MAX_VALUE);
        // intervals 0, 1, 2 (the last one up to 2.5 s): an earlier version merged empty intervals without end
        assertEquals(3, out.size(), "intervals " + out.stream().map(Recorder.Sealed::index).toList());
        assertEquals(S / 2, out.get(2).lengthNanos(), "the last interval ends with the later lane's schedule");
        assertTrue(m.poll(20 * S, i -> () -> g, Long.MAX_VALUE).isEmpty(), "nothing after the end");
    }

    @Test
    void anIntervalThatHasNotBegunIsNeverMerged() {
        Recorder a = new Recorder(0, Duration.ofSeconds(1));
        Recorder b = new Recorder(0, Duration.ofSeconds(1));
        a.endSchedule(S);
        b.endSchedule(S);
        IntervalMerger m = new IntervalMerger(List.of(a, b));
        Recorder.Gauge g = new Recorder.Gauge(0, 0, 0);
        assertTrue(m.poll(-1, i -> () -> g, Long.MAX_VALUE).isEmpty());
        assertEquals(1, m.poll(2 * S, i -> () -> g, Long.MAX_VALUE).size());
    }
}
