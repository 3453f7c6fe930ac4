package io.loadgen.core.engine;

/**
 * When a lane that runs on an event loop next wakes for its next due time.
 *
 * <p>A thread that sleeps and wakes for every request spends most of its CPU in the kernel doing so: at high rates a
 * lane's timer wakes at most every {@link #QUANTUM_NANOS} and every request due by then goes out in that wake-up
 * (measured against nginx at 20,000/s on two cores: 100 us, 30 us of CPU a request; 250 us, 20 us; 500 us, 13 us
 * with a send-lag p99 of 0.55 ms). At low and middle rates the quantum would only make requests late: a Poisson
 * arrival comes within 500 us of the one before it 5% of the time at 100/s, and would wait out the quantum. So the
 * quantum applies only while the lane's due times come, on average, closer than {@link #GATHER_BELOW_GAP_NANOS}
 * (over 1,000 a second on the lane); otherwise the timer is set for the due time itself. Either way a busy loop also
 * dispatches due requests whenever it wakes for I/O, and lateness is measured (send lag) and charged to the latency.
 *
 * <p>It does not spin: spinning to a due time would cut the timer's overshoot (0.1-0.3 ms at the 99th percentile on a
 * small virtual machine) at the price of a processor the target may need when it runs on the same machine (measured:
 * a server sharing two cores with a spinning generator answered at p99 7.8 ms instead of under 1 ms).
 *
 * <p>Not thread-safe: used by its lane's loop only.
 */
final class WakePlan {
    /** Shortest time between two timer wake-ups of a lane whose due times come close together, in nanoseconds. */
    static final long QUANTUM_NANOS = 500_000;
    /** Mean gap between due times under which the lane gathers its wake-ups by the quantum. */
    static final long GATHER_BELOW_GAP_NANOS = 1_000_000;
    /** Weight of the newest gap in the moving mean. */
    private static final double SMOOTHING = 1.0 / 32;

    private long lastDue = Long.MIN_VALUE;
    /** Moving mean of the gaps between due times, ns; starts as if the rate were low. */
    private double meanGap = GATHER_BELOW_GAP_NANOS * 2;

    /**
     * @param now the time of this decision, {@link System#nanoTime()}
     * @param due the lane's next due time, {@code > now}
     * @return the time to set the timer for
     */
    long next(long now, long due) {
        if (due != lastDue) {
            if (lastDue != Long.MIN_VALUE && due > lastDue) {
                meanGap += SMOOTHING * ((due - lastDue) - meanGap);
            }
            lastDue = due;
        }
        return meanGap < GATHER_BELOW_GAP_NANOS ? Math.max(due, now + QUANTUM_NANOS) : due;
    }

    /** @return the moving mean of the gaps between due times, ns */
    double meanGap() {
        return meanGap;
    }
}
