package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The figures of a whole run: of the requests whose intended send time fell in its measured window (after the
 * warm-up, before the end of scheduling), whenever they ended.
 *
 * @param target the URL driven
 * @param profile the profile in force at the end, in {@code --profile} syntax
 * @param arrival the arrival process, {@code constant} or {@code poisson}
 * @param start wall-clock time of the first intended send (after the generator's self-warm)
 * @param duration the measured window: from the end of the warm-up (or the start) to the end of scheduling,
 *     {@code >= 0}
 * @param warmup the start of the run left out of these figures (whole intervals)
 * @param state how the run ended: {@code running} (not ended yet), {@code completed} (its duration elapsed),
 *     {@code stopped} (stopped by a controller) or {@code interrupted} (a signal)
 * @param intervals number of recording intervals in the measured window
 * @param counts what happened to the window's requests; {@code completed <= sent <= scheduled}
 * @param completedBeforeEnd of those, the requests that ended before scheduling ended (the rest ended while the run
 *     drained)
 * @param latency time from the intended send to the end, of every sent request (answered, failed, timed out, or
 *     unfinished at its elapsed time)
 * @param serviceTime time from the write to the end, of every written request
 * @param sendLag dispatch time minus intended send time
 * @param verdict whether the generator kept its schedule
 * @param generator what the generator cost (CPU, GC) over the window
 * @param selfWarm what the self-warm before the start did, in words, or empty when there was none
 * @param concurrency closed-loop sessions at the end (latency is then measured from the actual send), or 0 for an
 *     open-loop run (latency from the intended send time)
 * @param transport {@code lean} or {@code httpclient}
 * @param checks how the answers fared against the run's checks ({@link CheckCounts#NONE} without checks)
 */
public record RunSummary(String target, String profile, String arrival, Instant start, Duration duration,
        Duration warmup, String state, long intervals, Counts counts, long completedBeforeEnd, LatencySummary latency,
        LatencySummary serviceTime, LatencySummary sendLag, Verdict verdict, GeneratorLoad generator,
        String selfWarm, int concurrency, String transport, CheckCounts checks) implements Serializable {

    /** A summary of a run without checks. */
    public RunSummary(String target, String profile, String arrival, Instant start, Duration duration,
            Duration warmup, String state, long intervals, Counts counts, long completedBeforeEnd,
            LatencySummary latency, LatencySummary serviceTime, LatencySummary sendLag, Verdict verdict,
            GeneratorLoad generator, String selfWarm, int concurrency, String transport) {
        this(target, profile, arrival, start, duration, warmup, state, intervals, counts, completedBeforeEnd, latency,
                serviceTime, sendLag, verdict, generator, selfWarm, concurrency, transport, CheckCounts.NONE);
    }

    /** @return whether the run was closed-loop: its latency is from the actual send, as there is no intended time */
    public boolean closedLoop() {
        return concurrency > 0;
    }

    /** @return requests scheduled per second over the window */
    public double offeredRate() {
        return Counts.perSecond(counts.scheduled(), duration);
    }

    /**
     * @return requests of the window that completed (errors included), per second of the window: late completions
     *     of the window's requests count, requests scheduled before or after it do not
     */
    public double achievedRate() {
        return Counts.perSecond(counts.completed(), duration);
    }

    /** @return errors as a fraction of completed requests, in [0, 1] */
    public double errorRatio() {
        return counts.errorRatio();
    }
}
