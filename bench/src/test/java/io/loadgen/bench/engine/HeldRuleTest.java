package io.loadgen.bench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a rate is held: each bound, at and just past it. */
class HeldRuleTest {
    private static final HeldRule RULE = HeldRule.DEFAULT;

    private static Measurement m(double achieved, double p99, double lag, long errors) {
        return new Measurement("loadgen-lean", "nginx", 10_000, achieved, 0.3, p99, lag, 100_000, errors,
                CpuUse.NONE, 0, false, null, "", Path.of("."), List.of());
    }

    @Test
    void aTrialWithinEveryBoundIsHeld() {
        assertTrue(RULE.judge(m(9_900, 10.0, 0.99, 100)).held(), "99% achieved, p99 10 ms, lag 0.99, 0.1% errors");
        assertTrue(RULE.judge(m(9_900, 10.0, Double.NaN, 0)).held(), "a tool that reports no send lag");
    }

    @Test
    void eachBoundFailsOnItsOwnAndSaysWhich() {
        assertEquals("achieved 98.9%", RULE.judge(m(9_890, 1, 0.1, 0)).why());
        assertEquals("p99 10.1 ms", RULE.judge(m(10_000, 10.1, 0.1, 0)).why());
        assertEquals("send-lag p99 1.00 ms", RULE.judge(m(10_000, 1, 1.0, 0)).why());
        assertFalse(RULE.judge(m(10_000, 1, 0.1, 101)).held(), "errors over 0.1%");
        assertFalse(RULE.judge(m(10_000, Double.NaN, 0.1, 0)).held(), "no p99 is not a held p99");
    }

    @Test
    void aTimedOutOrFailedTrialIsNotHeld() {
        Measurement failed = Measurement.failed("wrk2", "nginx", 10_000, 1, false, "", Path.of("."), "boom");
        assertEquals("exit 1, no figures", RULE.judge(failed).why());
        Measurement timedOut = Measurement.failed("wrk2", "nginx", 10_000, -1, true, "", Path.of("."), "slow");
        assertEquals("timed out", RULE.judge(timedOut).why());
    }
}
