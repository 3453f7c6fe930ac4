package io.loadgen.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.config.UsageException;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AssertionTest {

    private static LatencySummary latency(double p99Ms, double maxMs) {
        Duration p99 = Duration.ofNanos(Math.round(p99Ms * 1e6));
        Duration max = Duration.ofNanos(Math.round(maxMs * 1e6));
        return new LatencySummary(1000, p99.dividedBy(4), p99.dividedBy(2), p99, p99.plus(max).dividedBy(2), max,
                p99.dividedBy(3));
    }

    /**
     * A 10 s run: 1000 scheduled, {@code completed} ended of which {@code errors} failed, {@code dropped} dropped.
     */
    private static RunSummary summary(long completed, long errors, long dropped, LatencySummary latency,
            LatencySummary service, LatencySummary lag) {
        Counts c = new Counts(1000, 1000 - dropped, dropped, completed, completed - errors,
                new ErrorCounts(0, errors, 0, 0, 0), 0, 0);
        return new RunSummary("http://localhost:1/x", "constant:100", "poisson", Instant.EPOCH,
                Duration.ofSeconds(10), Duration.ZERO, "completed", 10, c, completed, latency, service, lag,
                Verdict.VALID, GeneratorLoad.NONE, "", 0, "httpclient");
    }

    private static RunSummary withP99(double p99Ms) {
        return summary(1000, 0, 0, latency(p99Ms, 2 * p99Ms), latency(1, 2), latency(0.1, 0.2));
    }

    private static boolean holds(String text, RunSummary s) {
        return Assertion.parse(text).holds(s);
    }

    @Test
    void parsesTheParts() {
        Assertion a = Assertion.parse("p99<50ms");
        assertEquals("p99", a.metric());
        assertEquals("<", a.op());
        assertEquals(50.0, a.threshold());
        assertEquals("ms", a.unit());
        assertEquals("p99<50ms", a.text());

        Assertion s = Assertion.parse("p99 < 0.05s");
        assertEquals(50.0, s.threshold(), 1e-9);
        assertEquals("ms", s.unit());
        assertEquals(0.5, Assertion.parse("p50<500us").threshold(), 1e-9);
        assertEquals(7.0, Assertion.parse("max<=7").threshold(), 1e-9, "a bare latency is in ms");

        Assertion e = Assertion.parse("errors<1%");
        assertEquals("errors", e.metric());
        assertEquals(1.0, e.threshold());
        assertEquals("%", e.unit());

        Assertion r = Assertion.parse("achieved>=950/s");
        assertEquals(">=", r.op());
        assertEquals(950.0, r.threshold());
        assertEquals("/s", r.unit());
        assertEquals("/s", Assertion.parse("achieved>950").unit());
        assertEquals("%", Assertion.parse("achieved>99%").unit());
        assertEquals("P99", Assertion.parse("P99<50MS").text().substring(0, 3), "upper case is accepted");
    }

    @Test
    void latencyPercentile() {
        assertTrue(holds("p99<50ms", withP99(49)));
        assertFalse(holds("p99<50ms", withP99(51)));
        assertTrue(holds("p99 < 0.05s", withP99(49.9)));
        assertFalse(holds("p99 < 0.05s", withP99(50.1)));
        assertEquals(12.3, Assertion.parse("p99<50ms").actual(withP99(12.3)), 1e-9);
        // p99, not another percentile: max is twice p99 here
        assertTrue(holds("max>90ms", withP99(49)));
        assertFalse(holds("max<90ms", withP99(49)));
    }

    @Test
    void strictAndNonStrictBoundaries() {
        RunSummary s = withP99(50);
        assertFalse(holds("p99<50ms", s));
        assertTrue(holds("p99<=50ms", s));
        assertTrue(holds("p99<=0.05s", s));
        assertFalse(holds("p99>50ms", s));
        assertTrue(holds("p99>=50ms", s));

        RunSummary quarterErrors = summary(1000, 250, 0, latency(1, 1), latency(1, 1), latency(1, 1));
        assertFalse(holds("errors<25%", quarterErrors));
        assertTrue(holds("errors<=25%", quarterErrors));
    }

    @Test
    void errorsShareOfCompleted() {
        LatencySummary l = latency(1, 2);
        RunSummary half = summary(800, 4, 0, l, l, l); // 0.5% of the completed (not of the scheduled: 0.4%)
        assertEquals(0.5, Assertion.parse("errors<1%").actual(half), 1e-9);
        assertTrue(holds("errors<1%", half));
        assertFalse(holds("errors<0.45%", half));
        RunSummary many = summary(800, 16, 0, l, l, l); // 2%
        assertFalse(holds("errors<1%", many));
        RunSummary none = summary(0, 0, 0, LatencySummary.EMPTY, LatencySummary.EMPTY, LatencySummary.EMPTY);
        assertTrue(holds("errors<1%", none), "no requests, no errors");
    }

    @Test
    void droppedShareOfScheduled() {
        LatencySummary l = latency(1, 2);
        RunSummary few = summary(999, 0, 1, l, l, l); // 0.1% of 1000 scheduled
        assertEquals(0.1, Assertion.parse("dropped<0.1%").actual(few), 1e-9);
        assertFalse(holds("dropped<0.1%", few));
        assertTrue(holds("dropped<=0.1%", few));
        assertTrue(holds("dropped<0.1%", summary(1000, 0, 0, l, l, l)));
        assertFalse(holds("dropped<0.1%", summary(995, 0, 5, l, l, l)));
    }

    @Test
    void achievedShareOfOfferedAndAbsolute() {
        LatencySummary l = latency(1, 2);
        RunSummary s995 = summary(995, 0, 0, l, l, l); // 99.5/s of 100/s offered
        assertEquals(99.5, Assertion.parse("achieved>99%").actual(s995), 1e-9);
        assertTrue(holds("achieved>99%", s995));
        assertFalse(holds("achieved>99%", summary(980, 0, 0, l, l, l)));
        assertEquals(99.5, Assertion.parse("achieved>=950/s").actual(s995), 1e-9);
        assertFalse(holds("achieved>=950/s", s995));
        assertTrue(holds("achieved>=99.5/s", s995));
        assertFalse(holds("achieved>99.5/s", s995));
        assertTrue(holds("achieved>=95", s995));
    }

    @Test
    void serviceTimeAndSendLag() {
        RunSummary s = summary(1000, 0, 0, latency(500, 900), latency(8, 9), latency(1, 4));
        assertTrue(holds("service_p99<10ms", s));
        assertFalse(holds("p99<10ms", s), "latency and service time are different metrics");
        assertFalse(holds("service_p99<5ms", s));
        assertTrue(holds("lag_max<5ms", s));
        assertFalse(holds("lag_max<3ms", s));
        assertEquals(4.0, Assertion.parse("lag_max<5ms").actual(s), 1e-9);
        assertEquals(8.0, Assertion.parse("service_p99<10ms").actual(s), 1e-9);
    }

    @Test
    void describeIncludesTheActualValue() {
        RunSummary s = summary(1000, 0, 0, latency(12.3, 20), latency(8, 9), latency(1, 4));
        String d = Assertion.parse("p99<50ms").describe(s);
        assertTrue(d.startsWith("p99<50ms"), d);
        assertTrue(d.contains("12.300ms"), d);
        RunSummary e = summary(800, 4, 0, latency(1, 1), latency(1, 1), latency(1, 1));
        assertTrue(Assertion.parse(" errors < 1% ").describe(e).contains("0.500%"),
                Assertion.parse("errors<1%").describe(e));
        assertTrue(Assertion.parse("achieved>=950/s").describe(e).contains("80.000/s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"p99<1%", "p99<5/s", "service_p99<2%"})
    void latencyTakesADuration(String text) {
        UsageException e = assertThrows(UsageException.class, () -> Assertion.parse(text));
        assertTrue(e.getMessage().contains(text) && e.getMessage().contains("duration"), e.getMessage());
    }

    @Test
    void unknownMetric() {
        UsageException e = assertThrows(UsageException.class, () -> Assertion.parse("foo<1"));
        assertTrue(e.getMessage().contains("unknown metric 'foo'"), e.getMessage());
        assertTrue(e.getMessage().contains("p99") && e.getMessage().contains("errors"), "lists the known ones");
        assertThrows(UsageException.class, () -> Assertion.parse("service_p42<1ms"));
    }

    @Test
    void ratiosTakeAPercentage() {
        UsageException e = assertThrows(UsageException.class, () -> Assertion.parse("errors<5"));
        assertTrue(e.getMessage().contains("errors<5") && e.getMessage().contains("percentage"), e.getMessage());
        assertThrows(UsageException.class, () -> Assertion.parse("dropped<5ms"));
        UsageException a = assertThrows(UsageException.class,
                () -> Assertion.parse("achieved>5ms"));
        assertTrue(a.getMessage().contains("achieved"), a.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "p99", "p99<", "<50ms", "p99=50ms", "p99<50parsecs", "p99<-5ms"})
    void malformed(String text) {
        UsageException e = assertThrows(UsageException.class, () -> Assertion.parse(text));
        assertTrue(e.getMessage().contains("p99<50ms") && e.getMessage().contains("errors<1%"),
                "shows examples: " + e.getMessage());
    }

    @Test
    void nullIsMalformed() {
        assertThrows(UsageException.class, () -> Assertion.parse(null));
    }

    @Test
    void validGatesOnTheGeneratorsVerdict() {
        RunSummary ok = withP99(10);
        RunSummary bad = new RunSummary(ok.target(), ok.profile(), ok.arrival(), ok.start(), ok.duration(),
                ok.warmup(), ok.state(), ok.intervals(), ok.counts(), ok.completedBeforeEnd(), ok.latency(),
                ok.serviceTime(), ok.sendLag(), Verdict.of(List.of("send lag p99 3ms is over 1ms")), ok.generator(),
                "", 0, "httpclient");
        Assertion valid = Assertion.parse(" VALID ");
        assertTrue(valid.holds(ok));
        assertFalse(valid.holds(bad));
        assertTrue(valid.describe(bad).contains("INVALID: send lag p99 3ms"), valid.describe(bad));
    }
}
