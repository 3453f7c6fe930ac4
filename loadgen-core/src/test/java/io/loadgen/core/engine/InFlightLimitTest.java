package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {
    @Test
    void anAutoLimitDoublesAtOnceWhenARequestWouldWaitUpToItsCeilingAndThePoolFollows() {
        List<Integer> pool = new ArrayList<>();
        InFlightLimit l = new InFlightLimit(0, 8, 40, pool::add);
        assertTrue(l.isAuto());
        assertEquals(8, l.get());
        assertTrue(l.grow(8));
        assertEquals(16, l.get());
        assertTrue(l.grow(16));
        assertTrue(l.grow(32));
        assertEquals(40, l.get(), "the ceiling caps it");
        assertFalse(l.grow(40), "at the ceiling requests wait");
        assertEquals(List.of(16, 32, 40), pool);
        assertEquals(3, l.timesGrown());
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
        assertFalse(l.grow(2));
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
}
