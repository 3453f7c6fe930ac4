package io.loadgen.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VerdictJudgeTest {
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final VerdictJudge.Limits LIMITS = new VerdictJudge.Limits("in-flight limit 2 (--max-in-flight)",
            "queue", 100_000, "4 connections (--connections)");
    private static final GeneratorLoad IDLE = new GeneratorLoad(2, 0.3, 0.2, "loadgen-io-1", 0.1, 3,
            Duration.ofMillis(12), Duration.ofMillis(6));

    /** A target that answers in 100 us: the lateness floor of 1 ms holds. */
    private static final LatencySummary FAST = latency(0.1);

    private static LatencySummary latency(double p50Ms) {
        Duration p = Duration.ofNanos((long) (p50Ms * 1e6));
        return new LatencySummary(1000, p, p.multipliedBy(2), p.multipliedBy(3), p.multipliedBy(4),
                p.multipliedBy(5), p);
    }

    private static LatencySummary lag(double p99Ms) {
        Duration p = Duration.ofNanos((long) (p99Ms * 1e6));
        return new LatencySummary(1000, Duration.ofNanos(50_000), p.dividedBy(2), p, p, p, Duration.ofNanos(60_000));
    }

    private static Counts counts(long dropped, long waited) {
        return new Counts(10_000, 10_000 - dropped, dropped, 10_000 - dropped, 9_000 - dropped,
                new ErrorCounts(0, 1000, 0, 0, 0), 0, waited);
    }

    @Test
    void aSlowOrFailingTargetIsStillValid() {
        Verdict v = VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), IDLE, WINDOW, LIMITS, 0);
        assertTrue(v.valid(), v.describe());
        assertEquals("VALID", v.describe());
    }

    @Test
    void eachRuleNamesItsFigure() {
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(2.5), IDLE, WINDOW, LIMITS, 0), "send lag p99 2.5ms");
        assertReason(VerdictJudge.judge(counts(0, 11), FAST, lag(0.4), IDLE, WINDOW, LIMITS, 0),
                "11 requests (0.11%) waited in the client for an in-flight slot (in-flight limit 2 (--max-in-flight))");
        assertTrue(VerdictJudge.judge(counts(0, 10), FAST, lag(0.4), IDLE, WINDOW, LIMITS, 0).valid(),
                "0.1% waiting is within the small share");
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), IDLE, WINDOW, LIMITS, 0.2),
                "waited for a connection at 20% of the checks (4 connections (--connections)");
        assertReason(VerdictJudge.judge(counts(1, 0), FAST, lag(0.4), IDLE, WINDOW, LIMITS, 0),
                "the client dropped 1 of 10000 scheduled requests");
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), new GeneratorLoad(2, 1.95, 1.9, "loadgen-io-1", 0.95,
                0, Duration.ZERO, Duration.ZERO), WINDOW, LIMITS, 0), "used 1.90 of 2 cores");
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), new GeneratorLoad(2, 1.0, 1.0, "loadgen-scheduler",
                0.97, 0, Duration.ZERO, Duration.ZERO), WINDOW, LIMITS, 0), "loadgen-scheduler was busy 97%");
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), new GeneratorLoad(2, 0.3, 0.2, "x", 0.1, 1,
                Duration.ofMillis(80), Duration.ofMillis(80)), WINDOW, LIMITS, 0), "a GC pause of 80ms");
        assertReason(VerdictJudge.judge(counts(0, 0), FAST, lag(0.4), new GeneratorLoad(2, 0.3, 0.2, "x", 0.1, 40,
                Duration.ofMillis(400), Duration.ofMillis(20)), WINDOW, LIMITS, 0), "GC paused the generator for 4.0%");
    }

    @Test
    void lateSendsAreWeighedAgainstTheLatencyTheyAreChargedTo() {
        // against a target that answers in 200 ms, 2.5 ms of lateness at p99 is 1.25% of its median: its figures
        assertTrue(VerdictJudge.judge(counts(0, 0), latency(200), lag(2.5), IDLE, WINDOW, LIMITS, 0).valid());
        // 12 ms is 6% of it: over the bound
        assertReason(VerdictJudge.judge(counts(0, 0), latency(200), lag(12), IDLE, WINDOW, LIMITS, 0),
                "send lag p99 12ms is over 10ms (5% of the latency p50, 200ms)");
        // against a fast target the floor of 1 ms holds, whatever 5% of its median is
        assertReason(VerdictJudge.judge(counts(0, 0), latency(2), lag(1.2), IDLE, WINDOW, LIMITS, 0),
                "send lag p99 1.2ms is over 1ms:");
        assertEquals(Duration.ofMillis(1), VerdictJudge.lagBound(LatencySummary.EMPTY));
        assertEquals(Duration.ofMillis(10), VerdictJudge.lagBound(latency(200)));
    }

    @Test
    void everyBrokenRuleIsListed() {
        Verdict v = VerdictJudge.judge(counts(5, 500), FAST, lag(3), IDLE, WINDOW, LIMITS, 0);
        assertFalse(v.valid());
        assertEquals(3, v.reasons().size(), v.describe());
        assertTrue(v.describe().startsWith("INVALID: send lag"), v.describe());
    }

    private static void assertReason(Verdict v, String part) {
        assertFalse(v.valid(), "expected invalid with '" + part + "'");
        assertTrue(v.reasons().stream().anyMatch(r -> r.contains(part)), v.reasons() + " lacks '" + part + "'");
    }
}
