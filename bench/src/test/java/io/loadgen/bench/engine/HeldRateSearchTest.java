package io.loadgen.bench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The search's walk, retry and bisection, on scripted trials (no tool runs). */
class HeldRateSearchTest {
    private static final Budget.Deadline PLENTY = new Budget.Deadline(Long.MAX_VALUE / 2, () -> 0L);

    /** Trials whose outcome at each rate is scripted, in order; a rate not scripted is held. */
    private static final class Script implements HeldRateSearch.Trials {
        final Map<Double, ArrayDeque<Boolean>> outcomes = new HashMap<>();
        final List<Double> ran = new ArrayList<>();

        Script at(double rate, Boolean... held) {
            outcomes.put(rate, new ArrayDeque<>(List.of(held)));
            return this;
        }

        @Override
        public Measurement run(double rate) {
            ran.add(rate);
            ArrayDeque<Boolean> q = outcomes.get(rate);
            boolean held = q == null || q.isEmpty() || q.poll();
            return new Measurement("t", "nginx", rate, held ? rate : rate * 0.5, 0.2, held ? 1 : 50, Double.NaN,
                    1000, 0, CpuUse.NONE, 0, false, null, "", Path.of("."), List.of());
        }
    }

    @Test
    void aRateThatFailsOnceAndHoldsOnItsRetryIsHeld() throws Exception {
        Script s = new Script().at(10_000, false, true).at(20_000, false, false);
        HeldRateSearch.Result r = new HeldRateSearch(HeldRule.DEFAULT, List.of(5_000.0, 10_000.0, 20_000.0),
                false, 0.10, Double.NaN).search(s, Duration.ofSeconds(1), PLENTY, PLENTY);
        assertEquals(List.of(5_000.0, 10_000.0, 10_000.0, 20_000.0, 20_000.0), s.ran);
        assertEquals(10_000, r.highestHeld().m().offered());
        assertEquals(20_000, r.firstFailed().m().offered());
        assertEquals("ladder retry", r.trials().get(2).phase());
    }

    @Test
    void theBisectionNarrowsToTheResolutionBetweenHeldAndFailed() throws Exception {
        // held up to 14,000/s, failed above
        HeldRateSearch.Trials t = rate -> new Script().at(rate, rate <= 14_000).run(rate);
        HeldRateSearch.Result r = new HeldRateSearch(HeldRule.DEFAULT, List.of(10_000.0, 20_000.0), true, 0.10,
                Double.NaN).search(t, Duration.ofSeconds(1), PLENTY, PLENTY);
        double lo = r.highestHeld().m().offered();
        double hi = r.firstFailed().m().offered();
        assertEquals(true, lo <= 14_000 && hi > 14_000, lo + " .. " + hi);
        assertEquals(true, (hi - lo) / lo <= 0.10, lo + " .. " + hi);
    }

    @Test
    void aSearchWithNoBudgetLeftStopsAfterItsFirstTrialAndSaysSo() throws Exception {
        Budget.Deadline spent = new Budget.Deadline(0, () -> 1L);
        Script s = new Script();
        HeldRateSearch.Result r = new HeldRateSearch(HeldRule.DEFAULT, List.of(5_000.0, 10_000.0), false, 0.10,
                Double.NaN).search(s, Duration.ofSeconds(1), spent, spent);
        assertEquals(List.of(5_000.0), s.ran);
        assertEquals("time budget: stopped before 10,000/s", r.stop());
        assertNull(r.firstFailed());
    }
}
