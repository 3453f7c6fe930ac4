package io.loadgen.core.metrics;

import java.io.Serializable;
import java.time.Duration;

/**
 * What happened to one set of requests: those whose <em>intended</em> send time fell in a span (an interval, a
 * window, the measured part of a run), whenever they ended. Every count is {@code >= 0}; once every request of the
 * set has been accounted for (as the intervals a run publishes are), {@code scheduled = sent + dropped} and
 * {@code sent = completed + unfinished}, so {@code completed <= sent <= scheduled}.
 *
 * @param scheduled requests whose intended send time fell in the span: the offered load
 * @param sent requests handed to the transport
 * @param dropped requests never sent: the client's in-flight limit with the drop policy, its queue full, or still
 *     queued when the run's drain ended
 * @param completed requests that ended with an outcome: {@code ok + errors.total()}
 * @param ok requests answered with a status below 400
 * @param errors failed requests by kind (timeouts included)
 * @param unfinished requests sent and still in flight when the drain ended: neither answered nor failed
 * @param waited requests that waited in the client for an in-flight slot before they were sent (the queue policy)
 */
public record Counts(long scheduled, long sent, long dropped, long completed, long ok, ErrorCounts errors,
        long unfinished, long waited) implements Serializable {
    /** Nothing happened. */
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, ErrorCounts.NONE, 0, 0);

    /** @return errors as a fraction of completed requests, in [0, 1]; 0 when none completed */
    public double errorRatio() {
        return completed == 0 ? 0 : (double) errors.total() / completed;
    }

    /**
     * @param n a count
     * @param over the span it was counted over
     * @return {@code n} per second of {@code over}; 0 for an empty span
     */
    public static double perSecond(long n, Duration over) {
        double s = over.toNanos() / 1e9;
        return s <= 0 ? 0 : n / s;
    }

    /** @return the sum of this and {@code o} */
    public Counts plus(Counts o) {
        return new Counts(scheduled + o.scheduled, sent + o.sent, dropped + o.dropped, completed + o.completed,
                ok + o.ok, errors.plus(o.errors), unfinished + o.unfinished, waited + o.waited);
    }
}
