package io.loadgen.core.schedule;

import java.util.SplittableRandom;

/**
 * How requests are spread in time at a given rate. The schedule asks for the amount of "work" between two arrivals,
 * in units of one expected inter-arrival gap, and spends it against the rate profile: a gap of {@code q} units at a
 * steady rate {@code r} lasts {@code q / r} seconds, and across a rate change the remaining units are spent at the
 * new rate. This makes a time-varying Poisson process exact (time change of a unit-rate process) and lets a rate
 * change re-plan a pending gap instead of sleeping it out.
 *
 * <p>Instances are not thread-safe; each run uses its own.
 */
public interface ArrivalProcess {

    /**
     * @param first whether this is the gap before the run's first request
     * @return units of work to the next arrival, {@code >= 0}
     */
    double nextGap(boolean first);

    /** @return the kind, for reports */
    Arrival kind();

    /** The kinds of arrival process. */
    enum Arrival {
        /** Evenly spaced arrivals; the first one at the start (as wrk2's constant-throughput mode). */
        CONSTANT,
        /** Exponential gaps (a Poisson process), drawn from a seeded generator: the same seed gives the same run. */
        POISSON;

        /** @return a fresh process of this kind */
        public ArrivalProcess create(long seed) {
            return this == CONSTANT ? new ConstantArrivals() : new PoissonArrivals(seed);
        }

        /**
         * Lane {@code i}'s share of this process split {@code n} ways, spent against the whole profile's rate: for
         * constant arrivals, every {@code n}-th arrival, the first {@code i} gaps in (so the lanes interleave
         * exactly); for Poisson, gaps of mean {@code n} units from a seed of the lane's own (independent Poisson
         * processes of rate r/n add up to one of rate r). With {@code n == 1} it is {@link #create(long)}.
         *
         * @param seed the run's seed
         * @param i the lane, in {@code [0, n)}
         * @param n the lanes, {@code >= 1}
         */
        public ArrivalProcess lane(long seed, int i, int n) {
            return lane(seed, ArrivalShare.WHOLE, i, n);
        }

        /**
         * Lane {@code i}'s part of a generator's share of this process ({@link ArrivalShare}), split {@code n} ways
         * among its lanes, spent against the whole profile's rate: for constant arrivals, every {@code n}-th of the
         * share's arrivals, the {@code i}-th first; for Poisson, gaps of mean {@code n / share.fraction()} units from
         * a seed of the share's and the lane's own. With the whole share it is {@link #lane(long, int, int)}.
         *
         * @param seed the run's seed
         * @param share the generator's share of the schedule
         * @param i the lane, in {@code [0, n)}
         * @param n the lanes, {@code >= 1}
         */
        public ArrivalProcess lane(long seed, ArrivalShare share, int i, int n) {
            if (!share.isWhole()) {
                return this == CONSTANT ? new SharedConstantArrivals(share, i, n)
                        : new LanePoissonArrivals(new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L
                                * (share.slices().get(0) + 1))).split().nextLong() + 31L * i, n / share.fraction());
            }
            if (n == 1) {
                return create(seed);
            }
            return this == CONSTANT ? new LaneConstantArrivals(i, n)
                    : new LanePoissonArrivals(new SplittableRandom(seed).split().nextLong() + 31L * i, n);
        }
    }

    /** Every n-th of evenly spaced arrivals, starting with the i-th. */
    final class LaneConstantArrivals implements ArrivalProcess {
        private final int offset;
        private final int every;

        LaneConstantArrivals(int offset, int every) {
            this.offset = offset;
            this.every = every;
        }

        @Override
        public double nextGap(boolean first) {
            return first ? offset : every;
        }

        @Override
        public Arrival kind() {
            return Arrival.CONSTANT;
        }
    }

    /**
     * Lane {@code lane} of {@code lanes} of a share of evenly spaced arrivals: arrival {@code e} of the whole
     * schedule is at {@code e} units; the share's {@code k}-th is the {@code k}-th whose slice it takes, and the lane
     * takes every {@code lanes}-th of those.
     */
    final class SharedConstantArrivals implements ArrivalProcess {
        private final int[] slices;
        private final long period;
        private final int lanes;
        private long k;

        SharedConstantArrivals(ArrivalShare share, int lane, int lanes) {
            this.slices = share.slices().stream().mapToInt(Integer::intValue).toArray();
            this.period = share.period();
            this.lanes = lanes;
            this.k = lane;
        }

        private double position(long kth) {
            return slices[(int) (kth % slices.length)] + (double) period * (kth / slices.length);
        }

        @Override
        public double nextGap(boolean first) {
            if (first) {
                return position(k);
            }
            double gap = position(k + lanes) - position(k);
            k += lanes;
            return gap;
        }

        @Override
        public Arrival kind() {
            return Arrival.CONSTANT;
        }
    }

    /** A Poisson process of 1/n of the rate: exponential gaps with mean n units. */
    final class LanePoissonArrivals implements ArrivalProcess {
        private final SplittableRandom random;
        private final double n;

        LanePoissonArrivals(long seed, double n) {
            this.random = new SplittableRandom(seed);
            this.n = n;
        }

        @Override
        public double nextGap(boolean first) {
            return -n * Math.log(1.0 - random.nextDouble());
        }

        @Override
        public Arrival kind() {
            return Arrival.POISSON;
        }
    }

    /** Evenly spaced arrivals. */
    final class ConstantArrivals implements ArrivalProcess {
        @Override
        public double nextGap(boolean first) {
            return first ? 0.0 : 1.0;
        }

        @Override
        public Arrival kind() {
            return Arrival.CONSTANT;
        }
    }

    /** Poisson arrivals: exponentially distributed gaps with mean one unit. */
    final class PoissonArrivals implements ArrivalProcess {
        private final SplittableRandom random;

        public PoissonArrivals(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override
        public double nextGap(boolean first) {
            // 1 - U lies in (0, 1], so the log is finite.
            return -Math.log(1.0 - random.nextDouble());
        }

        @Override
        public Arrival kind() {
            return Arrival.POISSON;
        }
    }
}
