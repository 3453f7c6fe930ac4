package io.loadgen.core.engine;

import java.util.function.IntConsumer;

/**
 * The in-flight limit of a run: fixed when the user gave {@code maxInFlight} (or {@code connections}), else sized by
 * Little's law from what the run needs. In auto mode it starts at {@link TransportConfig#connectionsFor the rate's
 * initial size}; when a request is due and every slot is taken, it grows at once (before that request is sent) if
 * the load needs more: towards {@code rate x latency x }{@link #HEADROOM}{@code  + }{@link #SLACK}, where latency is
 * the recent time a request holds its slot or the age of the oldest in flight, whichever is longer; by a quarter at
 * least and at most doubling a step. A
 * burst the load does not need (the generator catching up after a pause of its own) waits its turn instead of
 * opening a connection per request, and a target that slows down is not answered with a storm of connections. It halves when the peak in flight of the last {@link #SHRINK_AFTER} intervals
 * stays under a quarter of it, never below its initial size. The connection pool follows it.
 *
 * <p>Threading: {@link #get()} from any thread; {@link #grow} from the scheduler; {@link #observe} from the interval
 * clock.
 */
final class InFlightLimit {
    /** The highest auto limit (and pool size), whatever the load: at most half the process's file descriptors. */
    static final int AUTO_CEILING = 10_000;
    /** Intervals of low use before the auto limit shrinks. */
    static final int SHRINK_AFTER = 10;
    /** Little's law headroom: twice the mean in flight covers the bursts of a Poisson process. */
    static final double HEADROOM = 2;
    /** Slots added to the estimate, so that a low load still has a few to spare. */
    static final int SLACK = 8;

    private final boolean auto;
    private final int floor;
    private final int ceiling;
    private volatile IntConsumer resize;
    private final int[] peaks = new int[SHRINK_AFTER];
    private volatile int limit;
    private int observed;
    private long grown;

    /**
     * @param fixed the user's limit, or 0 for auto
     * @param initial the auto limit's first and smallest value, {@code >= 1}
     * @param ceiling the auto limit's largest value, {@code >= initial}
     * @param resize told the new limit whenever it changes (to size the connection pool)
     */
    InFlightLimit(int fixed, int initial, int ceiling, IntConsumer resize) {
        this.auto = fixed == 0;
        this.floor = auto ? Math.min(initial, ceiling) : fixed;
        this.ceiling = auto ? Math.max(ceiling, floor) : fixed;
        this.resize = resize;
        this.limit = floor;
    }

    /** @param listener told the new limit whenever it changes, replacing the one given to the constructor */
    void onResize(IntConsumer listener) {
        this.resize = listener;
    }

    /**
     * Heap budgeted per HTTP/1.1 connection of HttpClient 5 when sizing its auto ceiling: a conservative figure (its
     * session buffers, exchange handlers and pending leases), so that a run that falls behind cannot open connections
     * until the heap is gone: at 10,000/s under {@code -Xmx512m} an unbounded pool ran out of heap within seconds.
     */
    static final long HTTPCLIENT_BYTES_PER_CONNECTION = 256 * 1024;

    /**
     * @param maxHeapBytes the JVM's largest heap ({@link Runtime#maxMemory()})
     * @return the ceiling for auto limits of HttpClient 5's HTTP/1.1 pool: {@link #machineCeiling()}, or a quarter of
     *     the heap at {@link #HTTPCLIENT_BYTES_PER_CONNECTION} each when that is lower (2,048 at 2 GB of heap)
     */
    static int httpClientCeiling(long maxHeapBytes) {
        long byHeap = maxHeapBytes / 4 / HTTPCLIENT_BYTES_PER_CONNECTION;
        return (int) Math.max(8, Math.min(machineCeiling(), byHeap));
    }

    /** @return the ceiling for auto limits on this machine: {@link #AUTO_CEILING}, or half the file descriptors */
    static int machineCeiling() {
        long fds = Long.MAX_VALUE;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            fds = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(8, Math.min(AUTO_CEILING, fds / 2));
    }

    /** @return the limit now */
    int get() {
        return limit;
    }

    /** @return whether the limit follows the load */
    boolean isAuto() {
        return auto;
    }

    /** @return the largest value the limit may take */
    int ceiling() {
        return ceiling;
    }

    /** @return how many times the limit grew */
    synchronized long timesGrown() {
        return grown;
    }

    /**
     * A request is due and {@code inFlight} requests are in flight, at or over the limit: grow if the load needs it
     * (auto only).
     *
     * @param inFlight requests in flight now
     * @param ratePerSecond the rate asked for now
     * @param latencyNanos how long a request holds its slot now (an estimate)
     * @return whether the limit grew above {@code inFlight}
     */
    synchronized boolean grow(int inFlight, double ratePerSecond, long latencyNanos) {
        if (!auto || limit >= ceiling) {
            return false;
        }
        double need = Math.ceil(ratePerSecond * Math.max(0, latencyNanos) / 1e9 * HEADROOM) + SLACK;
        if (need <= limit) {
            return false;
        }
        int n = (int) Math.min(Math.min(ceiling, 2L * limit), Math.max(need, limit + limit / 4 + 1.0));
        resize.accept(n);
        limit = n;
        grown++;
        return n > inFlight;
    }

    /**
     * Raises the auto limit to at least {@code n} (a rate raised by a controller), within the ceiling.
     */
    synchronized void raiseTo(int n) {
        if (auto && n > limit) {
            int v = Math.min(ceiling, n);
            resize.accept(v);
            limit = v;
        }
    }

    /**
     * The peak in flight of one interval: shrinks the auto limit after {@link #SHRINK_AFTER} intervals of low use.
     */
    synchronized void observe(int peakInFlight) {
        peaks[observed++ % SHRINK_AFTER] = peakInFlight;
        if (!auto || observed < SHRINK_AFTER) {
            return;
        }
        int peak = 0;
        for (int p : peaks) {
            peak = Math.max(peak, p);
        }
        if (peak < limit / 4 && limit > floor) {
            int v = Math.max(floor, Math.max(limit / 2, 2 * peak));
            resize.accept(v);
            limit = v;
        }
    }
}
