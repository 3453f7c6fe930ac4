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
 * @param duration the span the figures cover: from the end of the warm-up (or the start) to the end of scheduling,
 *     {@code >= 0}
 * @param warmup the start of the run left out of these figures
 * @param state how the run ended: {@code running} (not ended yet), {@code completed} (its duration elapsed),
 *     {@code stopped} (stopped by a controller) or {@code interrupted} (a signal)
 * @param intervals number of recording intervals
 * @param counts what happened to the requests scheduled after the warm-up, including those that completed after the
 *     end of scheduling (while draining)
 * @param completedInTime requests that completed before the end of scheduling: a generator or target that falls
 *     behind completes fewer of them
 * @param latency response time from the intended send time
 * @param serviceTime response time from the actual send
 * @param sendLag dispatch time minus intended send time
 */
public record RunSummary(String target, String profile, String arrival, Instant start, Duration duration,
        Duration warmup, String state, long intervals, Counts counts, long completedInTime, LatencySummary latency,
        LatencySummary serviceTime, LatencySummary sendLag) implements Serializable {

    /** @return requests scheduled per second over the run */
    public double offeredRate() {
        return Counts.perSecond(counts.scheduled(), duration);
    }

    /**
     * @return requests ended per second while requests were being scheduled, errors included: completions during
     *     the drain after the end are left out, so that a backlog shows as a shortfall
     */
    public double achievedRate() {
        return Counts.perSecond(completedInTime, duration);
    }

    /** @return errors as a fraction of ended requests, in [0, 1] */
    public double errorRatio() {
        return counts.errorRatio();
    }
}
