package io.loadgen.core.search;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link MaxRateSearch}. Immutable; {@link #custom(Duration)} gives a builder whose defaults are
 * listed on each setter.
 */
public final class SearchConfig {
    private final Duration p99Bound;
    private final double maxErrorRatio;
    private final double startRate;
    private final double maxRate;
    private final double precision;
    private final Duration interval;
    private final Duration minTrial;
    private final Duration maxTrial;
    private final int stableWindows;
    private final double stability;
    private final int maxTrials;

    private SearchConfig(Builder b) {
        this.p99Bound = b.p99Bound;
        this.maxErrorRatio = b.maxErrorRatio;
        this.startRate = b.startRate;
        this.maxRate = b.maxRate;
        this.precision = b.precision;
        this.interval = b.interval;
        this.minTrial = b.minTrial;
        this.maxTrial = b.maxTrial;
        this.stableWindows = b.stableWindows;
        this.stability = b.stability;
        this.maxTrials = b.maxTrials;
    }

    /** @param p99Bound the latency bound: a rate passes when its p99 (from the intended send time) is at most this */
    public static Builder custom(Duration p99Bound) {
        return new Builder(p99Bound);
    }

    public Duration p99Bound() {
        return p99Bound;
    }

    public double maxErrorRatio() {
        return maxErrorRatio;
    }

    public double startRate() {
        return startRate;
    }

    public double maxRate() {
        return maxRate;
    }

    public double precision() {
        return precision;
    }

    public Duration interval() {
        return interval;
    }

    public Duration minTrial() {
        return minTrial;
    }

    public Duration maxTrial() {
        return maxTrial;
    }

    public int stableWindows() {
        return stableWindows;
    }

    public double stability() {
        return stability;
    }

    public int maxTrials() {
        return maxTrials;
    }

    /** Builds a {@link SearchConfig}. */
    public static final class Builder {
        private final Duration p99Bound;
        private double maxErrorRatio = 0.01;
        private double startRate = 10;
        private double maxRate = 100_000;
        private double precision = 0.05;
        private Duration interval = Duration.ofSeconds(1);
        private Duration minTrial = Duration.ofSeconds(5);
        private Duration maxTrial = Duration.ofSeconds(30);
        private int stableWindows = 3;
        private double stability = 0.10;
        private int maxTrials = 20;

        private Builder(Duration p99Bound) {
            if (p99Bound == null || p99Bound.isZero() || p99Bound.isNegative()) {
                throw new IllegalArgumentException("the p99 bound must be > 0, got " + p99Bound);
            }
            this.p99Bound = p99Bound;
        }

        /** @param r largest share of errors a passing rate may have, in [0, 1); default 0.01 */
        public Builder maxErrorRatio(double r) {
            if (!(r >= 0 && r < 1)) {
                throw new IllegalArgumentException("max error ratio must be in [0, 1), got " + r);
            }
            this.maxErrorRatio = r;
            return this;
        }

        /** @param r the first rate tried, requests per second, > 0; default 10 */
        public Builder startRate(double r) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("start rate must be > 0, got " + r);
            }
            this.startRate = r;
            return this;
        }

        /** @param r the highest rate tried, >= the start rate; default 100,000 */
        public Builder maxRate(double r) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("max rate must be > 0, got " + r);
            }
            this.maxRate = r;
            return this;
        }

        /** @param p stop when the bracket is narrower than this share of its top, in (0, 1); default 0.05 */
        public Builder precision(double p) {
            if (!(p > 0 && p < 1)) {
                throw new IllegalArgumentException("precision must be in (0, 1), got " + p);
            }
            this.precision = p;
            return this;
        }

        /** @param d length of one measurement window, >= 100 ms; default 1 s */
        public Builder interval(Duration d) {
            if (d == null || d.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("interval must be >= 100ms, got " + d);
            }
            this.interval = d;
            return this;
        }

        /** @param min shortest trial; @param max longest trial (a trial that is not stable by then counts as is) */
        public Builder trialLength(Duration min, Duration max) {
            Objects.requireNonNull(min);
            Objects.requireNonNull(max);
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("trial length must satisfy 0 <= min <= max, got " + min + ", "
                        + max);
            }
            this.minTrial = min;
            this.maxTrial = max;
            return this;
        }

        /**
         * @param windows how many last windows must agree, >= 2; default 3
         * @param tolerance how closely (achieved rate and p99 within this share of their mean), in (0, 1); default 0.1
         */
        public Builder stability(int windows, double tolerance) {
            if (windows < 2 || !(tolerance > 0 && tolerance < 1)) {
                throw new IllegalArgumentException("stability needs >= 2 windows and a tolerance in (0, 1)");
            }
            this.stableWindows = windows;
            this.stability = tolerance;
            return this;
        }

        /** @param n most trials in all, >= 2; default 20 */
        public Builder maxTrials(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("max trials must be >= 2, got " + n);
            }
            this.maxTrials = n;
            return this;
        }

        public SearchConfig build() {
            if (maxRate < startRate) {
                throw new IllegalArgumentException("max rate " + maxRate + " is below the start rate " + startRate);
            }
            return new SearchConfig(this);
        }
    }
}
