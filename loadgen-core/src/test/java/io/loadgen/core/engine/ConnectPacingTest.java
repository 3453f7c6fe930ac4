package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The connect pacing's token bucket, on a clock of its own (no time passes but what the test says). */
class ConnectPacingTest {
    private static final long MS = 1_000_000;

    @Test
    void aBurstAtOnceThenTheRateAndNeverMoreThanABurstSaved() {
        long t = 5_000 * MS;
        ConnectPacing p = new ConnectPacing(t);
        assertEquals(ConnectPacing.BURST, p.take(100, t), "the burst at once, not what was asked for");
        assertEquals(0, p.take(1, t));
        assertEquals(MS / ConnectPacing.PER_MILLI, p.nanosUntilNext(), "the next one after 1/PER_MILLI ms");
        assertEquals(1, p.take(1, t + MS / ConnectPacing.PER_MILLI));
        assertEquals(2 * ConnectPacing.PER_MILLI, p.take(100, t + MS / ConnectPacing.PER_MILLI + 2 * MS));
        assertEquals(ConnectPacing.BURST, p.take(100, t + 60_000 * MS), "a long idle time saves one burst only");
        assertEquals(0, p.take(0, t + 120_000 * MS));
        assertEquals(0, p.nanosUntilNext(), "a full bucket: one may start now");
    }
}
