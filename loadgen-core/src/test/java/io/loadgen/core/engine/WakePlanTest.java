package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lane's wake-up plan: a timer ahead of the due time by the learned overshoot, a spin within a CPU budget. */
class WakePlanTest {
    private static final long MS = 1_000_000;
    private static final long US = 1_000;

    @Test
    void aFarDueTimeSetsTheTimerOneLeadEarlyAndANearOneIsSpunTo() {
        WakePlan p = new WakePlan();
        long now = 1_000 * MS;
        assertEquals(now + 10 * MS - WakePlan.INITIAL_LEAD_NANOS, p.next(now, now + 10 * MS));
        assertEquals(WakePlan.SPIN, p.next(now, now + WakePlan.INITIAL_LEAD_NANOS - 1));
    }

    @Test
    void theLeadIsTheTimersOwnOvershootAtItsNinetyNinthPercentilePlusAMargin() {
        WakePlan p = new WakePlan();
        for (int i = 0; i < WakePlan.SAMPLES; i++) {
            // 1% of the wake-ups 700 us late, the rest 30 us
            p.woke(0, i % 100 == 0 ? 700 * US : 30 * US);
        }
        assertEquals(700 * US + WakePlan.MARGIN_NANOS, p.lead());

        for (int i = 0; i < WakePlan.SAMPLES; i++) {
            p.woke(0, 5 * US); // a quiet machine: the lead shrinks, but not below its floor
        }
        assertEquals(WakePlan.MIN_LEAD_NANOS, p.lead());

        for (int i = 0; i < WakePlan.SAMPLES; i++) {
            p.woke(0, 40 * MS); // a stalled machine: the lead is capped, spinning 40 ms would cost too much
        }
        assertEquals(WakePlan.MAX_LEAD_NANOS, p.lead());
    }

    @Test
    void spinningStopsWhenItsBudgetIsSpentAndTheTimerGathersByTheQuantumUntilTheNextWindow() {
        WakePlan p = new WakePlan();
        long now = 5_000 * MS;
        // due times 200 us apart, always within the lead: the lane spins from one to the next
        long spun = 0;
        int spins = 0;
        long t = now;
        while (spun < WakePlan.WINDOW_NANOS) {
            long at = p.next(t, t + 200 * US);
            if (at != WakePlan.SPIN) {
                break;
            }
            spins++;
            t += 200 * US;
            spun += 200 * US;
        }
        long budget = WakePlan.WINDOW_NANOS * WakePlan.SPIN_BUDGET_PERCENT / 100;
        assertTrue(spun >= budget && spun <= budget + 400 * US, "spun " + spun + " ns of a " + budget + " ns budget");
        assertTrue(spins > 0);
        // past the budget: no spin, a timer no sooner than one quantum on
        long at = p.next(t, t + 200 * US);
        assertEquals(t + WakePlan.QUANTUM_NANOS, at);
        // a new window: spinning is allowed again
        long later = now + WakePlan.WINDOW_NANOS + MS;
        p.arrived(later);
        assertEquals(WakePlan.SPIN, p.next(later, later + 100 * US));
    }
}
