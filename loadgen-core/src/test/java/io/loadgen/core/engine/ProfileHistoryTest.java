package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfiles;
import org.junit.jupiter.api.Test;

/** An interval's target rate is the mean of what was asked for over it. */
class ProfileHistoryTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aStepInsideAnIntervalCountsByItsShareAndOneOnABoundaryNotAtAll() {
        ProfileHistory h = new ProfileHistory();
        long t0 = 1_000 * S;
        h.put(RateProfiles.parse("steps:100@2s,400@2s"), t0);
        assertEquals(100, h.meanRate(t0, t0 + S), 1e-9, "interval 0");
        assertEquals(100, h.meanRate(t0 + S, t0 + 2 * S), 1e-9, "interval 1 ends on the step: all of it at 100");
        assertEquals(400, h.meanRate(t0 + 2 * S, t0 + 3 * S), 1e-9, "interval 2");
        assertEquals(250, h.meanRate(t0 + S + S / 2, t0 + 2 * S + S / 2), 1e-9, "half and half");
    }

    @Test
    void aLiveChangeCountsFromWhenItWasMadeAndAReplannedStartIsReplaced() {
        ProfileHistory h = new ProfileHistory();
        long t0 = 50 * S;
        h.put(new ConstantRate(200), t0);
        h.put(new ConstantRate(1000), t0 + S + S / 4);
        assertEquals(200, h.meanRate(t0, t0 + S), 1e-9);
        assertEquals(0.25 * 200 + 0.75 * 1000, h.meanRate(t0 + S, t0 + 2 * S), 1e-9, "changed a quarter in");
        assertEquals(1000, h.meanRate(t0 + 2 * S, t0 + 3 * S), 1e-9);
        assertEquals(0, h.meanRate(t0 - 2 * S, t0 - S), 1e-9, "before the first profile nothing was asked for");
        // a start planned for later, changed before it came: the change is in force from when it was made
        ProfileHistory later = new ProfileHistory();
        later.put(new ConstantRate(100), t0 + 5 * S);
        later.put(new ConstantRate(300), t0);
        assertEquals(300, later.meanRate(t0 + 5 * S, t0 + 6 * S), 1e-9);
    }
}
