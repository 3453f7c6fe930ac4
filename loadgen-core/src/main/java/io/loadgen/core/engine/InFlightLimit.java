package io.loadgen.core.engine;

import java.util.function.IntConsumer;

/**
 * The in-flight limit of a run: fixed when the user gave {@code maxInFlight} (or {@code connections}), else sized by
 * Little's law from what the run needs. In auto mode it starts at {@link TransportConfig#connectionsFor the rate's
 * initial size} and doubles at once whenever a request would otherwise wait for a slot (before that request is sent,
 * so the client never queues below the ceiling); it halves when the peak in flight of the last
 * {@link #SHRINK_AFTER} intervals stays under a quarter of it, never below its initial size. The connection pool
 * follows it.
 *
 * <p>Threading: {@link #get()} from any thread; {@link #grow} from the scheduler; {@link #observe} from the interval
 * clock.
 */
final class InFlightLimit {
    /** The highest auto limit (and pool size), whatever the load: at most half the process's file descriptors. */
    static final int AUTO_CEILING = 10_000;
    /** Intervals of low use before the auto limit shrinks. */
    static final int SHRINK_AFTER = 10;

    private final boolean auto;
    private final int floor;
    private final int ceiling;
    private final IntConsumer resize;
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
     * A request is due and {@code inFlight} requests are in flight, at or over the limit: grow (auto only).
     *
     * @return whether the limit grew above {@code inFlight}
     */
    synchronized boolean grow(int inFlight) {
        if (!auto || limit >= ceiling) {
            return false;
        }
        int n = (int) Math.min(ceiling, Math.max(2L * limit, inFlight + 1L));
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
