package io.loadgen.core.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Records what happens to each request, from any thread, without locks on the recording path; the interval clock
 * takes a {@link #sample()} every {@code recordInterval}, which hands over everything recorded since the last one.
 *
 * <p>Times given to it are {@link System#nanoTime()} readings. Histograms hold microseconds with 3 significant
 * digits and resize themselves, so any latency from 0 to hours is kept.
 */
public final class Recorder {
    /** Marks a request that was never written to a connection. */
    public static final long NOT_SENT = Long.MIN_VALUE;

    private static final int DIGITS = 3;

    private final org.HdrHistogram.Recorder latency = new org.HdrHistogram.Recorder(DIGITS);
    private final org.HdrHistogram.Recorder service = new org.HdrHistogram.Recorder(DIGITS);
    private final org.HdrHistogram.Recorder lag = new org.HdrHistogram.Recorder(DIGITS);
    private final LongAdder scheduled = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder[] ended = new LongAdder[Outcome.values().length];

    public Recorder() {
        for (int i = 0; i < ended.length; i++) {
            ended[i] = new LongAdder();
        }
    }

    /**
     * A request's intended send time came and the scheduler dispatched it.
     *
     * @param lagNanos dispatch time minus intended send time, in nanoseconds
     */
    public void scheduled(long lagNanos) {
        scheduled.increment();
        lag.recordValue(micros(lagNanos));
    }

    /** A scheduled request was not sent: no in-flight slot and no room to wait. */
    public void dropped() {
        dropped.increment();
    }

    /** A request was handed to the transport. */
    public void sent() {
        sent.increment();
    }

    /**
     * A sent request ended.
     *
     * @param outcome how it ended
     * @param intendedNanos its intended send time
     * @param writtenNanos when it was written to a connection, or {@link #NOT_SENT}
     * @param endNanos when it ended
     */
    public void ended(Outcome outcome, long intendedNanos, long writtenNanos, long endNanos) {
        ended[outcome.ordinal()].increment();
        if (outcome.hasResponse()) {
            latency.recordValue(micros(endNanos - intendedNanos));
            if (writtenNanos != NOT_SENT) {
                service.recordValue(micros(endNanos - writtenNanos));
            }
        }
    }

    /**
     * Takes everything recorded since the last sample and starts afresh. Events recorded while this runs land in this
     * sample or the next, never in neither.
     *
     * @return the counts and histograms of the elapsed interval
     */
    public synchronized Sample sample() {
        Histogram l = latency.getIntervalHistogram();
        Histogram s = service.getIntervalHistogram();
        Histogram g = lag.getIntervalHistogram();
        long ok = ended[Outcome.OK.ordinal()].sumThenReset();
        ErrorCounts errors = new ErrorCounts(
                ended[Outcome.CONNECT.ordinal()].sumThenReset(),
                ended[Outcome.TIMEOUT.ordinal()].sumThenReset(),
                ended[Outcome.HTTP_4XX.ordinal()].sumThenReset(),
                ended[Outcome.HTTP_5XX.ordinal()].sumThenReset(),
                ended[Outcome.OTHER.ordinal()].sumThenReset());
        Counts counts = new Counts(scheduled.sumThenReset(), sent.sumThenReset(), dropped.sumThenReset(),
                ok + errors.total(), ok, errors);
        return new Sample(counts, new IntervalHistograms(l, s, g));
    }

    private static long micros(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 500) / 1000;
    }

    /**
     * What one sample holds.
     *
     * @param counts the counts
     * @param histograms the histograms, in microseconds
     */
    public record Sample(Counts counts, IntervalHistograms histograms) {
    }
}
