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
