package io.loadgen.core.search;

import io.loadgen.config.ChronoDurations;
import io.loadgen.core.metrics.IntervalStats;
import java.util.List;

/**
 * The stability rule of trials (as perf_analyzer's): the last windows agree when each one's achieved rate and p99 are
 * within a tolerance of their mean; sub-millisecond p99s jitter by more than 10% from noise alone, so they agree
 * within 1 ms.
 */
final class Stability {
    private Stability() {
    }

    /**
     * @param windows the last windows, at least one
     * @param tolerance e.g. 0.1 for 10%
     * @return whether they agree
     */
    static boolean agree(List<IntervalStats> windows, double tolerance) {
        double meanRate = windows.stream().mapToDouble(IntervalStats::achievedRate).average().orElse(0);
        double meanP99 = windows.stream().mapToDouble(w -> ChronoDurations.millis(w.latency().p99())).average()
                .orElse(0);
        for (IntervalStats w : windows) {
            if (Math.abs(w.achievedRate() - meanRate) > tolerance * meanRate) {
                return false;
            }
            double p99 = ChronoDurations.millis(w.latency().p99());
            if (Math.abs(p99 - meanP99) > Math.max(tolerance * meanP99, 1.0)) {
                return false;
            }
        }
        return true;
    }
}
