package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
    private static final long MS = 1_000_000;

    @Test
    void anAutoLimitGrowsAtOnceByLittlesLawUpToItsCeilingAndThePoolFollows() {
        List<Integer> pool = new ArrayList<>();
        InFlightLimit l = new InFlightLimit(0, 8, 1000, pool::add);
        assertTrue(l.isAuto());
        assertEquals(8, l.get());
        // 200/s at 50 ms: 10 in flight on average; with headroom 2 and 8 spare, 28, reached in two steps
        assertTrue(l.grow(8, 200, 50 * MS));
        assertEquals(16, l.get(), "a step at most doubles");
        assertTrue(l.grow(16, 200, 50 * MS));
        assertEquals(28, l.get());
        assertFalse(l.grow(28, 200, 50 * MS), "the load needs no more");
        // the load now needs 2000/s x 50 ms x 2 + 8 = 208
        assertTrue(l.grow(28, 2000, 50 * MS));
        assertTrue(l.grow(56, 2000, 50 * MS));
        assertTrue(l.grow(112, 2000, 50 * MS));
        assertEquals(208, l.get());
        assertTrue(l.grow(208, 20_000, 50 * MS));
        assertTrue(l.grow(416, 20_000, 50 * MS));
        assertTrue(l.grow(832, 20_000, 50 * MS));
        assertEquals(1000, l.get(), "the ceiling caps it");
        assertFalse(l.grow(1000, 20_000, 50 * MS), "at the ceiling requests wait");
        assertEquals(List.of(16, 28, 56, 112, 208, 416, 832, 1000), pool);
        assertEquals(8, l.timesGrown());
    }

    @Test
    void aBurstTheLoadDoesNotNeedWaitsInsteadOfOpeningConnections() {
        List<Integer> pool = new ArrayList<>();
        InFlightLimit l = new InFlightLimit(0, 40, 10_000, pool::add);
        // 3000/s of 0.2 ms requests need 3000 x 0.0002 x 2 + 8 = 10 slots: 40 are plenty, a catch-up burst waits
        assertFalse(l.grow(40, 3000, MS / 5));
        assertEquals(40, l.get());
        assertEquals(List.of(), pool);
        // just over: it grows by a quarter at least
        assertTrue(l.grow(40, 1000, 17 * MS));
        assertEquals(51, l.get());
    }

    @Test
    void anAutoLimitShrinksSlowlyWhenLittleIsInFlightButNeverBelowItsStart() {
        List<Integer> pool = new ArrayList<>();
        InFlightLimit l = new InFlightLimit(0, 8, 10_000, pool::add);
        l.raiseTo(256);
        for (int i = 0; i < InFlightLimit.SHRINK_AFTER - 1; i++) {
            l.observe(10);
        }
        assertEquals(256, l.get(), "not before " + InFlightLimit.SHRINK_AFTER + " intervals of low use");
        l.observe(10);
        assertEquals(128, l.get(), "halved");
        l.observe(100); // a busy interval within the last ten: no more shrinking
        assertEquals(128, l.get());
        for (int i = 0; i < 60; i++) {
            l.observe(1);
        }
        assertEquals(8, l.get(), "down to its start, not below");
    }

    @Test
    void aFixedLimitNeverMoves() {
        List<Integer> pool = new ArrayList<>();
        InFlightLimit l = new InFlightLimit(2, 8, 10_000, pool::add);
        assertFalse(l.isAuto());
        assertEquals(2, l.get());
        assertFalse(l.grow(2, 1000, 1000 * MS));
        l.raiseTo(100);
        for (int i = 0; i < 20; i++) {
            l.observe(0);
        }
        assertEquals(2, l.get());
        assertEquals(List.of(), pool);
    }

    @Test
    void theMachineCeilingIsAtMostTenThousand() {
        int c = InFlightLimit.machineCeiling();
        assertTrue(c >= 8 && c <= InFlightLimit.AUTO_CEILING, "ceiling " + c);
    }

    @Test
    void httpClientsCeilingIsBoundedByTheHeapAndNeverAboveTheMachines() {
        long mb = 1024 * 1024;
        // a quarter of 512 MB at 256 KB a connection
        assertEquals(512, InFlightLimit.httpClientCeiling(512 * mb));
        assertEquals(Math.min(2048, InFlightLimit.machineCeiling()), InFlightLimit.httpClientCeiling(2048 * mb));
        assertEquals(InFlightLimit.machineCeiling(), InFlightLimit.httpClientCeiling(Long.MAX_VALUE / 2));
        assertEquals(8, InFlightLimit.httpClientCeiling(mb), "never below a few connections");
    }
}
