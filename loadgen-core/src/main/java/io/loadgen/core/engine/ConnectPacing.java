package io.loadgen.core.engine;

/**
 * How fast a transport's connection pool may grow on demand: a token bucket of {@link #BURST} connections, refilled
 * at {@link #PER_MILLI} a millisecond. A target that stalls for a moment would otherwise be sent a connect for every
 * request due meanwhile, and the connects cost it (and the generator) more just as it recovers: on two shared cores, a
 * 20 ms hiccup at 20,000/s grew to 3,000 connections and a 200 ms stall on the lean transport, and HttpClient 5 at
 * 10,000/s opened 10,000 connections in its first two seconds and ran out of heap. Requests that find no connection
 * wait in the pool (counted as pool waits, and in flight) and are written as connections free up or open.
 *
 * <p>The pool's first size (opened before the start on the lean transport) is not paced; a user's
 * {@code --connections} is the pool's size from the start.
 *
 * <p>Threading: an instance is one pool's bucket, not thread-safe: call it from the pool's own thread or under its
 * lock.
 */
public final class ConnectPacing {
    /** Connections a pool may add per millisecond at most, after a burst of {@link #BURST}. */
    public static final int PER_MILLI = 2;
    /** Connections a pool may add at once before {@link #PER_MILLI} paces it. */
    public static final int BURST = 16;

    private double tokens = BURST;
    private long at;

    /**
     * A full bucket.
     *
     * @param nowNanos {@link System#nanoTime()} now
     */
    public ConnectPacing(long nowNanos) {
        this.at = nowNanos;
    }

    /**
     * Takes up to {@code want} connections from the bucket.
     *
     * @param want connections the pool would add now, {@code >= 0}
     * @param nowNanos {@link System#nanoTime()} now
     * @return how many it may add now, in {@code [0, want]}
     */
    public int take(int want, long nowNanos) {
        tokens = Math.min(BURST, tokens + (nowNanos - at) * PER_MILLI / 1e6);
        at = nowNanos;
        int n = (int) Math.min(want, Math.floor(tokens));
        tokens -= n;
        return n;
    }

    /** @return nanoseconds from the last {@link #take} until the next connection may be added (0 if one may now) */
    public long nanosUntilNext() {
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * 1e6 / PER_MILLI);
    }
}
