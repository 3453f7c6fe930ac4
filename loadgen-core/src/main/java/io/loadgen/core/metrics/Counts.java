package io.loadgen.core.metrics;

import java.io.Serializable;

/**
 * What happened to requests over a span of time. Every count is {@code >= 0}.
 *
 * @param scheduled requests whose intended send time fell in the span (the offered load)
 * @param sent requests handed to the transport
 * @param dropped requests not sent because the in-flight limit (drop policy) or the client queue was full
 * @param completed requests that ended: {@code ok + errors.total()}
 * @param ok requests answered with a status below 400
 * @param errors failed requests by kind
 */
public record Counts(long scheduled, long sent, long dropped, long completed, long ok, ErrorCounts errors)
        implements Serializable {
    /** Nothing happened. */
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, ErrorCounts.NONE);

    /** @return errors as a fraction of completed requests, in [0, 1]; 0 when none completed */
    public double errorRatio() {
        return completed == 0 ? 0 : (double) errors.total() / completed;
    }

    /**
     * @param n a count
     * @param over the span it was counted over
     * @return {@code n} per second of {@code over}; 0 for an empty span
     */
    public static double perSecond(long n, java.time.Duration over) {
        double s = over.toNanos() / 1e9;
        return s <= 0 ? 0 : n / s;
    }

    /** @return the sum of this and {@code o} */
    public Counts plus(Counts o) {
        return new Counts(scheduled + o.scheduled, sent + o.sent, dropped + o.dropped, completed + o.completed,
                ok + o.ok, errors.plus(o.errors));
    }
}
