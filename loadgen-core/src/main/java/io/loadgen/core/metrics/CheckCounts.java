package io.loadgen.core.metrics;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the answers of a run fared against its checks ({@code --check}).
 *
 * @param enabled whether the run had checks; all counts are 0 when not
 * @param passed responses of the window that passed every check (the {@code ok} ones)
 * @param failed responses of the window that did not: a check failed (error kind {@code check}), or the response was
 *     an HTTP error (4xx, 5xx), which is no right answer; {@code passed + failed} = the window's responses
 * @param failedByCheck each check's failures, by its spec, over the whole run (its warm-up included)
 */
public record CheckCounts(boolean enabled, long passed, long failed, Map<String, Long> failedByCheck)
        implements Serializable {
    /** A run without checks. */
    public static final CheckCounts NONE = new CheckCounts(false, 0, 0, Map.of());

    public CheckCounts {
        failedByCheck = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failedByCheck));
    }

    /**
     * @param c the counts of a set of requests (an interval, a window, a run) whose answers were checked
     * @param failedByCheck each check's failures, by its spec
     * @return passed: the answers OK; failed: those that failed a check or were an HTTP error (an answer that
     *     is not OK cannot be right); requests without an answer (connect errors, timeouts) are neither
     */
    public static CheckCounts of(Counts c, Map<String, Long> failedByCheck) {
        ErrorCounts e = c.errors();
        return new CheckCounts(true, c.ok(), e.check() + e.http4xx() + e.http5xx(), failedByCheck);
    }

    /** @return passed / (passed + failed), or NaN when no response was checked */
    public double ratio() {
        long n = passed + failed;
        return n == 0 ? Double.NaN : (double) passed / n;
    }
}
