package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The figures of a whole run.
 *
 * @param target the URL driven
 * @param profile the profile in force at the end, in {@code --profile} syntax
 * @param arrival the arrival process, {@code constant} or {@code poisson}
 * @param start wall-clock start
 * @param duration time from the start to the end of scheduling (the run's length; completions of requests still in
 *     flight then are counted too), {@code >= 0}
 * @param state how the run ended: {@code running} (not ended yet), {@code completed} (its duration elapsed),
 *     {@code stopped} (stopped by a controller) or {@code interrupted} (a signal)
 * @param intervals number of recording intervals
 * @param counts what happened to the requests
 * @param latency response time from the intended send time
 * @param serviceTime response time from the actual send
 * @param sendLag dispatch time minus intended send time
 */
public record RunSummary(String target, String profile, String arrival, Instant start, Duration duration,
        String state, long intervals, Counts counts, LatencySummary latency, LatencySummary serviceTime,
        LatencySummary sendLag) implements Serializable {

    /** @return requests scheduled per second over the run */
    public double offeredRate() {
        return Counts.perSecond(counts.scheduled(), duration);
    }

    /** @return requests ended per second over the run, errors included */
    public double achievedRate() {
        return Counts.perSecond(counts.completed(), duration);
    }

    /** @return errors as a fraction of ended requests, in [0, 1] */
    public double errorRatio() {
        return counts.errorRatio();
    }
}
