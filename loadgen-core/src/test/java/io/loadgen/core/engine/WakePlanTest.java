package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When a lane wakes: at its due time at low rates, gathered by the quantum at high ones. */
class WakePlanTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;

    @Test
    void atLowRatesTheTimerIsSetForTheDueTimeItselfEvenWhenTwoArrivalsComeClose() {
        WakePlan p = new WakePlan();
        long t = 1_000 * MS;
        for (int i = 0; i < 200; i++) {
            t += 5 * MS; // 200/s
            assertEquals(t, p.next(t - 4 * MS, t));
        }
        // a Poisson arrival 100 us after the one before: not held back to a quantum after the last wake-up
        long close = t + 100 * US;
        assertEquals(close, p.next(t, close));
    }

    @Test
    void atHighRatesWakeUpsAreGatheredOneQuantumApart() {
        WakePlan p = new WakePlan();
        long t = 1_000 * MS;
        long at = 0;
        for (int i = 0; i < 500; i++) {
            t += 100 * US; // 10,000/s on the lane
            at = p.next(t - 50 * US, t);
        }
        assertTrue(p.meanGap() < WakePlan.GATHER_BELOW_GAP_NANOS, "mean gap " + p.meanGap());
        assertEquals(t - 50 * US + WakePlan.QUANTUM_NANOS, at, "a quantum after this wake-up, not at the due time");
        // the rate falls: within a few dozen due times the lane wakes at its due times again
        for (int i = 0; i < 200; i++) {
            t += 20 * MS;
            at = p.next(t - 10 * MS, t);
        }
        assertEquals(t, at);
    }
}
