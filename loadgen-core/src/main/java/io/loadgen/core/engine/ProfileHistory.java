package io.loadgen.core.engine;

import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The profiles a run has had in force, each from the moment it was put in force (its clock starts then), so that an
 * interval's target rate is what was asked for over that interval: the mean of the rate over its span, whatever
 * profile changes or steps fell inside it. Keeps the last {@value #KEPT} changes. Thread-safe.
 */
final class ProfileHistory {
    /** Profile changes kept: far more than the intervals an unsealed interval can be behind. */
    static final int KEPT = 256;
    /** Points of the rate sampled per interval: a step inside an interval counts by its share of it (to 1/64). */
    static final int SAMPLES = 64;

    private record Epoch(RateProfile profile, long fromNanos) {
    }

    private final Deque<Epoch> epochs = new ArrayDeque<>();

    /**
     * @param profile the profile in force from {@code fromNanos} on, in place of any put earlier that was to start at
     *     or after it (a run's planned start, changed before it came)
     * @param fromNanos its start, {@link System#nanoTime()} time
     */
    synchronized void put(RateProfile profile, long fromNanos) {
        while (!epochs.isEmpty() && epochs.peekLast().fromNanos() - fromNanos >= 0) {
            epochs.removeLast();
        }
        epochs.addLast(new Epoch(profile, fromNanos));
        while (epochs.size() > KEPT) {
            epochs.removeFirst();
        }
    }

    /**
     * @param fromNanos the span's start
     * @param toNanos its end, {@code > fromNanos}
     * @return the mean rate asked for over the span, requests per second (0 before the first profile)
     */
    synchronized double meanRate(long fromNanos, long toNanos) {
        List<Epoch> list = new ArrayList<>(epochs);
        long span = Math.max(1, toNanos - fromNanos);
        double sum = 0;
        int e = 0;
        for (int i = 0; i < SAMPLES; i++) {
            long t = fromNanos + (long) ((i + 0.5) * span / SAMPLES);
            while (e + 1 < list.size() && list.get(e + 1).fromNanos() <= t) {
                e++;
            }
            if (list.isEmpty() || list.get(e).fromNanos() > t) {
                continue; // before the first profile: nothing asked for
            }
            Epoch in = list.get(e);
            sum += in.profile().rateAt(Duration.ofNanos(t - in.fromNanos()));
        }
        return sum / SAMPLES;
    }
}
