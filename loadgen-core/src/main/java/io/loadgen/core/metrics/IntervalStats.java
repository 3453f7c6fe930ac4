package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The figures of one recording interval, or of a span of several (see {@link WindowStats#aggregate()}).
 *
 * <p>An interval's figures are those of one set of requests: those whose <em>intended</em> send time fell in it,
 * whenever they ended (an interval is published once every request of it is accounted for). Latency is measured from
 * each request's intended send time to the end of its response, its failure or its timeout (so a slow server or a
 * client-side wait shows up in it: the coordinated-omission-correct figure), and requests left unfinished at the end
 * of a run are in it at their elapsed time; service time is measured from the moment the request was written to the
 * connection; send lag is how late the scheduler dispatched it.
 *
 * @param index interval number from 0 at the start of the run (for a span, the first interval's)
 * @param warmup whether the interval is part of the warm-up, left out of the run's summary
 * @param start wall-clock start of the span
 * @param length length of the span, {@code > 0}
 * @param targetRate the rate asked for, requests per second: for one interval, its mean over the interval (a step
 *     or a live change inside it counts by its share of it); for a span of intervals, that of its last interval
 * @param counts what happened to requests in the span
 * @param inFlight requests sent and not yet ended, at the end of the span
 * @param queued requests waiting in the client for an in-flight slot, at the end of the span
 * @param latency time from the intended send to the end (answer, failure, timeout; unfinished requests at their
 *     elapsed time)
 * @param serviceTime time from the write to the end, of requests that were written
 * @param sendLag dispatch time minus intended send time, of requests scheduled in the span (closed loop: how late a
 *     session's next request went after the session became ready)
 * @param concurrency closed-loop sessions at the end of the span, or 0 in open loop
 */
public record IntervalStats(long index, boolean warmup, Instant start, Duration length, double targetRate, Counts counts,
        int inFlight, int queued, LatencySummary latency, LatencySummary serviceTime, LatencySummary sendLag,
        int concurrency) implements Serializable {

    /** @return requests scheduled per second: the offered load (QPS offered) */
    public double offeredRate() {
        return Counts.perSecond(counts.scheduled(), length);
    }

    /** @return requests ended per second, errors included (RPS completed) */
    public double achievedRate() {
        return Counts.perSecond(counts.completed(), length);
    }

    /** @return requests answered OK per second */
    public double okRate() {
        return Counts.perSecond(counts.ok(), length);
    }

    /** @return errors as a fraction of ended requests, in [0, 1]; 0 when none ended */
    public double errorRatio() {
        return counts.errorRatio();
    }
}
