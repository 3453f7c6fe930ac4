package io.loadgen.core.engine;

import java.util.Arrays;

/**
 * When a lane that runs on an event loop next wakes for its next due time: a timer set a little <em>before</em> the due
 * time, then a spin (the loop keeps polling its I/O) to the due time itself, within a CPU budget.
 *
 * <p>Why: a thread that sleeps until a due time is as late as the machine wakes it, and a small virtual machine wakes
 * a sleeper late by 0.1-0.3 ms at its 99th percentile and by milliseconds now and then (its idle processor has to be
 * woken too). So the timer is set {@link #lead()} before the due time, the lead being learned from this loop's own
 * timer overshoots (their 99th percentile over the last {@value #SAMPLES} wake-ups plus a margin, between
 * {@value #MIN_LEAD_NANOS} and {@value #MAX_LEAD_NANOS} ns), and the rest is spun.
 *
 * <p>Spinning costs a processor: it is allowed for at most {@value #SPIN_BUDGET_PERCENT}% of each
 * {@value #WINDOW_NANOS}-ns window, so it serves low and middle rates (at 200/s with a 0.25 ms lead: 5% of a core).
 * Past the budget, and at high rates where due times come closer than the lead, a lane wakes by the timer alone, at
 * the due time or one {@link #QUANTUM_NANOS} after the previous wake-up, whichever is later, gathering the requests due
 * meanwhile into one wake-up; a busy loop also dispatches due requests whenever it wakes for I/O. Lateness is measured
 * either way (send lag) and charged to the latency.
 *
 * <p>Not thread-safe: used by its lane's loop only.
 */
final class WakePlan {
    /**
     * Shortest time between two timer wake-ups of a lane, in nanoseconds, once the spin budget is spent. A thread that
     * sleeps and wakes for every request spends most of its CPU in the kernel doing so; gathering the requests due
     * within this quantum into one wake-up costs each of them at most this much send lag. Measured against nginx at
     * 20,000/s on two cores: 100 us, 30 us of CPU a request; 250 us, 20 us; 500 us, 13 us with send lag p99 0.55 ms;
     * 1 ms, 10.5 us but send lag p99 near 1 ms.
     */
    static final long QUANTUM_NANOS = 500_000;
    /** Returned by {@link #next} when the lane should run again as soon as the loop has polled its I/O. */
    static final long SPIN = Long.MIN_VALUE;
    static final long MIN_LEAD_NANOS = 50_000;
    static final long MAX_LEAD_NANOS = 1_000_000;
    static final long INITIAL_LEAD_NANOS = 250_000;
    /** Added to the measured overshoot. */
    static final long MARGIN_NANOS = 20_000;
    static final int SAMPLES = 256;
    static final long WINDOW_NANOS = 100_000_000;
    static final int SPIN_BUDGET_PERCENT = 10;
    private static final long BUDGET_NANOS = WINDOW_NANOS * SPIN_BUDGET_PERCENT / 100;

    private final long[] overshoots = new long[SAMPLES];
    private int samples;
    private long lead = INITIAL_LEAD_NANOS;
    private long windowStart = Long.MIN_VALUE;
    private long spentInWindow;
    /** When the lane last chose to spin, or {@link Long#MIN_VALUE} if its last decision was not a spin. */
    private long spinningSince = Long.MIN_VALUE;

    /**
     * @param now the time of this decision, {@link System#nanoTime()}
     * @param due the lane's next due time, {@code > now}
     * @return {@link #SPIN}, or the time to set the timer for
     */
    long next(long now, long due) {
        if (now - windowStart >= WINDOW_NANOS || windowStart == Long.MIN_VALUE) {
            windowStart = now;
            spentInWindow = 0;
        }
        if (spinningSince != Long.MIN_VALUE) {
            spentInWindow += now - spinningSince; // the loop has been spinning since the last decision
        }
        if (due - now <= lead && spentInWindow < BUDGET_NANOS) {
            spinningSince = now;
            return SPIN;
        }
        spinningSince = Long.MIN_VALUE;
        return spentInWindow < BUDGET_NANOS ? due - lead : Math.max(due, now + QUANTUM_NANOS);
    }

    /** The lane is due now or has nothing due: whatever it was spinning for has come. */
    void arrived(long now) {
        if (spinningSince != Long.MIN_VALUE) {
            spentInWindow += now - spinningSince;
            spinningSince = Long.MIN_VALUE;
        }
    }

    /**
     * A timer wake-up happened.
     *
     * @param setFor the time the timer was set for
     * @param now when it ran
     */
    void woke(long setFor, long now) {
        overshoots[samples++ % SAMPLES] = Math.max(0, now - setFor);
        if (samples % SAMPLES == 0) {
            long[] sorted = overshoots.clone();
            Arrays.sort(sorted);
            long p99 = sorted[(int) (SAMPLES * 0.99)];
            lead = Math.max(MIN_LEAD_NANOS, Math.min(MAX_LEAD_NANOS, p99 + MARGIN_NANOS));
        }
    }

    /** @return how long before a due time the timer is set, ns */
    long lead() {
        return lead;
    }
}
