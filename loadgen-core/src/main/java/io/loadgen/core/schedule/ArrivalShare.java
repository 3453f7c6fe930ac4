package io.loadgen.core.schedule;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a run's arrivals one generator sends when several generators (agents) share one schedule. Number the
 * arrivals of the whole schedule 0, 1, 2, ...; arrival {@code e} falls in slice {@code e mod period}, and this
 * share takes the arrivals of its slices. Every generator runs the whole rate profile and takes its share, so a
 * rate change reaches all of them as the same profile and their sum stays the profile:
 * <ul>
 *   <li>constant arrivals: the shares interleave exactly, so the merged schedule stays evenly spaced (with equal
 *       weights; with unequal weights, each generator's arrivals are the whole schedule's of its slices);
 *   <li>Poisson arrivals: each share is a Poisson process of {@code fraction()} of the rate from a seed of its own
 *       (independent Poisson processes add up to one of the whole rate).
 * </ul>
 * Immutable.
 *
 * @param slices the slices taken, ascending, distinct, each in {@code [0, period)}, at least one
 * @param period the slices of the whole schedule, {@code >= 1}
 */
public record ArrivalShare(List<Integer> slices, int period) implements Serializable {
    /** The whole schedule: one generator alone. */
    public static final ArrivalShare WHOLE = new ArrivalShare(List.of(0), 1);
    /** The most slices (the sum of the weights). */
    public static final int MAX_PERIOD = 1_000_000;

    public ArrivalShare {
        slices = List.copyOf(slices);
        if (period < 1 || period > MAX_PERIOD) {
            throw new IllegalArgumentException("an arrival share's period must be in [1, " + MAX_PERIOD + "], got "
                    + period);
        }
        if (slices.isEmpty()) {
            throw new IllegalArgumentException("an arrival share takes at least one slice");
        }
        int last = -1;
        for (int s : slices) {
            if (s <= last || s >= period) {
                throw new IllegalArgumentException("an arrival share's slices must ascend within [0, " + period
                        + "), got " + slices);
            }
            last = s;
        }
    }

    /**
     * @param weights each generator's weight, {@code >= 1} each, summing to at most {@link #MAX_PERIOD}
     * @return the shares in order: generator {@code g} takes {@code weights[g]} consecutive slices of
     *     {@code sum(weights)}
     */
    public static List<ArrivalShare> split(List<Integer> weights) {
        long total = 0;
        for (int w : weights) {
            if (w < 1) {
                throw new IllegalArgumentException("weights must be >= 1, got " + weights);
            }
            total += w;
        }
        if (weights.isEmpty() || total > MAX_PERIOD) {
            throw new IllegalArgumentException("weights must be at least one, summing to at most " + MAX_PERIOD
                    + ", got " + weights);
        }
        List<ArrivalShare> out = new ArrayList<>();
        int from = 0;
        for (int w : weights) {
            List<Integer> s = new ArrayList<>(w);
            for (int k = 0; k < w; k++) {
                s.add(from + k);
            }
            out.add(new ArrivalShare(s, (int) total));
            from += w;
        }
        return out;
    }

    /** @return the share of the rate taken, in (0, 1] */
    public double fraction() {
        return (double) slices.size() / period;
    }

    /** @return whether this is the whole schedule */
    public boolean isWhole() {
        return period == 1;
    }

    /** @return e.g. {@code 1/3} or {@code slices [0, 1] of 5} */
    @Override
    public String toString() {
        return isWhole() ? "whole" : slices.size() == 1 ? "slice " + slices.get(0) + " of " + period
                : "slices " + slices + " of " + period;
    }
}
