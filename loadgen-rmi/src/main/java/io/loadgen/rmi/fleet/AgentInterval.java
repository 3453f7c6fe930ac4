package io.loadgen.rmi.fleet;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * One interval of an agent's run as it crosses the wire to its coordinator: the counts and gauges, and the three
 * histograms in HdrHistogram's compressed encoding (exact: they decode to the agent's histograms and add up
 * exactly). Immutable.
 *
 * @param index the interval's number from the run's start (the same on every agent of one start time)
 * @param warmup whether it is a warm-up interval
 * @param lengthNanos its length, {@code > 0}
 * @param targetRate the agent's share of the rate asked for, requests per second
 * @param counts its requests by outcome
 * @param inFlight requests in flight on the agent at its end
 * @param queued requests waiting in the agent's client at its end
 * @param concurrency the agent's closed-loop sessions, or 0
 * @param latency latency from the intended send time, microseconds, compressed
 * @param serviceTime service time, microseconds, compressed
 * @param sendLag send lag, microseconds, compressed
 */
public record AgentInterval(long index, boolean warmup, long lengthNanos, double targetRate, Counts counts,
        int inFlight, int queued, int concurrency, byte[] latency, byte[] serviceTime, byte[] sendLag)
        implements Serializable {
    /**
     * @param s an interval of the agent's run
     * @param h its histograms
     * @return it, encoded
     */
    public static AgentInterval of(IntervalStats s, IntervalHistograms h) {
        return new AgentInterval(s.index(), s.warmup(), s.length().toNanos(), s.targetRate(), s.counts(),
                s.inFlight(), s.queued(), s.concurrency(), encode(h.latency()), encode(h.serviceTime()),
                encode(h.sendLag()));
    }

    /** @return the histograms, decoded */
    public IntervalHistograms histograms() {
        return new IntervalHistograms(decode(latency), decode(serviceTime), decode(sendLag));
    }

    private static byte[] encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        byte[] out = new byte[n];
        b.flip();
        b.get(out);
        return out;
    }

    private static Histogram decode(byte[] bytes) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("an agent's interval histogram does not decode: " + e, e);
        }
    }
}
