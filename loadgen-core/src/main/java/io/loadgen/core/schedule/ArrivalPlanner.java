package io.loadgen.core.schedule;

import java.time.Duration;

/**
 * Turns a rate profile and an arrival process into the intended send times of a run's requests.
 *
 * <p>Times are {@link System#nanoTime()} readings (nanoseconds); {@link #NEVER} means no further arrival is planned
 * (the rate is zero for ever). Each gap is drawn from the {@link ArrivalProcess} in units of work and spent against
 * the profile's rate: across a step the rest of the gap is spent at the new rate, and {@link #changeProfile} re-plans
 * the pending gap at once, so a long gap planned at a low rate is not slept out when the rate goes up.
 *
 * <p>Not thread-safe: one scheduler thread owns an instance.
 */
public final class ArrivalPlanner {
    /** Stands for "no arrival planned". */
    public static final long NEVER = Long.MAX_VALUE;
    /** Bound on the walk over a profile's segments for one gap; reaching it means no arrival. */
    private static final int MAX_SEGMENTS_PER_GAP = 1_000_000;

    private final ArrivalProcess process;
    private RateProfile profile;
    private long profileStart;
    private long last;
    private double pendingGap;
    private long due;
    /** Work already spent towards the gap after an overdue arrival, across profile changes; -1 when none. */
    private double overdueCredit = -1;
    private long overdueCreditUntil;

    /**
     * @param process the arrival process (owned by this planner from now on)
     * @param profile the rate profile, whose clock starts at {@code startNanos}
     * @param startNanos the run's start, a {@link System#nanoTime()} reading
     */
    public ArrivalPlanner(ArrivalProcess process, RateProfile profile, long startNanos) {
        this.process = process;
        this.profile = profile;
        this.profileStart = startNanos;
        this.last = startNanos;
        this.pendingGap = process.nextGap(true);
        this.due = advance(last, pendingGap);
    }

    /** @return the intended time of the next arrival, or {@link #NEVER} */
    public long due() {
        return due;
    }

    /** @return the profile in force */
    public RateProfile profile() {
        return profile;
    }

    /**
     * Consumes the due arrival and plans the one after it.
     *
     * @return the intended time of the next arrival, or {@link #NEVER}
     */
    public long next() {
        if (due == NEVER) {
            return NEVER;
        }
        double gap = process.nextGap(false);
        if (overdueCredit >= 0) {
            // The gap after an arrival that was overdue at a profile change began at that arrival's time: the part
            // of it that elapsed before the change was spent at the old rate.
            last = overdueCreditUntil;
            pendingGap = Math.max(0, gap - overdueCredit);
            overdueCredit = -1;
        } else {
            last = due;
            pendingGap = gap;
        }
        due = advance(last, pendingGap);
        return due;
    }

    /**
     * Puts a new profile in force from {@code atNanos}: the part of the pending gap not yet spent at the old rate is
     * spent at the new one. An arrival already due at {@code atNanos} stays due.
     *
     * @param newProfile the profile, whose clock starts at {@code atNanos}
     * @param atNanos when the change takes effect, a {@link System#nanoTime()} reading
     * @return the intended time of the next arrival, or {@link #NEVER}
     */
    public long changeProfile(RateProfile newProfile, long atNanos) {
        long at = Math.max(atNanos, last);
        if (due != NEVER && due <= at) {
            // Already due under the old plan: keep it; the gap after it runs from it, at the old rate until now.
            long from = overdueCredit >= 0 ? overdueCreditUntil : due;
            overdueCredit = Math.max(0, overdueCredit) + work(from, at);
            overdueCreditUntil = at;
            profile = newProfile;
            profileStart = at;
            return due;
        }
        spendUpTo(at);
        profile = newProfile;
        profileStart = at;
        due = advance(at, pendingGap);
        return due;
    }

    private void spendUpTo(long at) {
        if (at > last) {
            pendingGap = Math.max(0, pendingGap - work(last, at));
            last = at;
        }
    }

    /**
     * @return the time at which {@code gap} units of work are spent from {@code from} (for a zero gap, the first
     *     moment from {@code from} at which the rate is positive), or NEVER
     */
    private long advance(long from, double gap) {
        long t = from;
        double remaining = Math.max(0, gap);
        for (int i = 0; i < MAX_SEGMENTS_PER_GAP; i++) {
            Duration since = Duration.ofNanos(t - profileStart);
            double rate = profile.rateAt(since);
            long segmentEnd = absolute(profile.constantUntil(since));
            if (rate > 0 && remaining == 0) {
                // A zero gap (the first constant arrival) falls at the first moment the rate is positive.
                return t;
            }
            if (rate > 0) {
                double needNanos = remaining / rate * 1e9;
                if (segmentEnd == NEVER || needNanos < (double) (segmentEnd - t)) {
                    double end = t + needNanos;
                    return end >= NEVER ? NEVER : Math.round(end);
                }
                remaining -= rate * (segmentEnd - t) / 1e9;
            }
            if (segmentEnd == NEVER) {
                return NEVER;
            }
            t = segmentEnd;
        }
        return NEVER;
    }

    /** @return the integral of the rate from {@code from} to {@code to}, in units of work */
    private double work(long from, long to) {
        double sum = 0;
        long t = from;
        for (int i = 0; i < MAX_SEGMENTS_PER_GAP && t < to; i++) {
            Duration since = Duration.ofNanos(t - profileStart);
            double rate = profile.rateAt(since);
            long segmentEnd = Math.min(absolute(profile.constantUntil(since)), to);
            sum += rate * (segmentEnd - t) / 1e9;
            t = segmentEnd;
        }
        return sum;
    }

    private long absolute(Duration sinceStart) {
        long n = sinceStart.toNanos();
        long sum = profileStart + n;
        // n >= 0, so the sum can only overflow upwards: saturate to NEVER.
        return ((profileStart ^ sum) & (n ^ sum)) < 0 || n == Long.MAX_VALUE ? NEVER : sum;
    }
}
