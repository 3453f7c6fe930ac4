package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency distribution. Figures come from an HdrHistogram with 3 significant digits recorded in
 * microseconds, so each is within 0.1% of the true value; all are {@link Duration#ZERO} when {@code count == 0}.
 *
 * @param count number of values recorded
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max largest value
 * @param mean arithmetic mean
 */
public record LatencySummary(long count, Duration p50, Duration p90, Duration p99, Duration p999, Duration max,
        Duration mean) implements Serializable {

    /** The summary of nothing. */
    public static final LatencySummary EMPTY =
            new LatencySummary(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                    Duration.ZERO);

    /**
     * @param microseconds a histogram of values in microseconds
     * @return its summary
     */
    public static LatencySummary of(Histogram microseconds) {
        if (microseconds.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(microseconds.getTotalCount(),
                micros(microseconds.getValueAtPercentile(50)),
                micros(microseconds.getValueAtPercentile(90)),
                micros(microseconds.getValueAtPercentile(99)),
                micros(microseconds.getValueAtPercentile(99.9)),
                micros(microseconds.getMaxValue()),
                Duration.ofNanos(Math.round(microseconds.getMean() * 1000)));
    }

    private static Duration micros(long us) {
        return Duration.ofNanos(us * 1000);
    }
}
