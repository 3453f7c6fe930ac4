package io.loadgen.core.engine;

import java.time.Duration;

/**
 * Settings of the generator around the transport: the in-flight limit and what happens beyond it, and the recording
 * clock. Immutable; {@link #custom()} gives a builder whose defaults are listed on each setter.
 */
public final class EngineConfig {
    /** What happens to a request that is due while the in-flight limit is reached. */
    public enum Overflow {
        /** It waits in the client for a slot (bounded by {@code maxQueued}); its wait counts as latency. */
        QUEUE,
        /** It is not sent and is counted as dropped. */
        DROP
    }

    /** Settings with every default. */
    public static final EngineConfig DEFAULT = custom().build();

    /** Highest in-flight limit that may be set. */
    public static final int MAX_IN_FLIGHT = 1_000_000;
    /** Highest client queue bound that may be set. */
    public static final int MAX_QUEUED = 10_000_000;

    private final int maxInFlight;
    private final Overflow overflow;
    private final int maxQueued;
    private final Duration drainTimeout;
    private final Duration recordInterval;
    private final int windowSize;
    private final Duration warmup;

    private EngineConfig(Builder b) {
        this.maxInFlight = b.maxInFlight;
        this.overflow = b.overflow;
        this.maxQueued = b.maxQueued;
        this.drainTimeout = b.drainTimeout;
        this.recordInterval = b.recordInterval;
        this.windowSize = b.windowSize;
        this.warmup = b.warmup;
    }

    public static Builder custom() {
        return new Builder();
    }

    /** @return a builder holding this config's values */
    public Builder toBuilder() {
        return custom().maxInFlight(maxInFlight).overflow(overflow).maxQueued(maxQueued).drainTimeout(drainTimeout)
                .recordInterval(recordInterval).windowSize(windowSize).warmup(warmup);
    }

    /** @return the in-flight limit, or 0 for "as many as there are connections" (HTTP/1.1) or 100 per connection */
    public int maxInFlight() {
        return maxInFlight;
    }

    public Overflow overflow() {
        return overflow;
    }

    public int maxQueued() {
        return maxQueued;
    }

    public Duration drainTimeout() {
        return drainTimeout;
    }

    public Duration recordInterval() {
        return recordInterval;
    }

    public int windowSize() {
        return windowSize;
    }

    /** @return the warm-up left out of the run's summary */
    public Duration warmup() {
        return warmup;
    }

    @Override
    public String toString() {
        return "EngineConfig[maxInFlight=" + (maxInFlight == 0 ? "auto" : maxInFlight) + ", overflow=" + overflow
                + ", maxQueued=" + maxQueued + ", drainTimeout=" + drainTimeout + ", recordInterval="
                + recordInterval + ", windowSize=" + windowSize + ", warmup=" + warmup + "]";
    }

    /** Builds an {@link EngineConfig}. */
    public static final class Builder {
        private int maxInFlight;
        private Overflow overflow = Overflow.QUEUE;
        private int maxQueued = 100_000;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration recordInterval = Duration.ofSeconds(1);
        private int windowSize = 60;
        private Duration warmup = Duration.ZERO;

        private Builder() {
        }

        /**
         * @param n most requests sent and not yet answered, in {@code [1, MAX_IN_FLIGHT]}, or 0 (default): the
         *     connection count for HTTP/1.1, 100 streams per connection for HTTP/2
         */
        public Builder maxInFlight(int n) {
            if (n < 0 || n > MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("maxInFlight must be 0 (auto) or in [1, " + MAX_IN_FLIGHT
                        + "], got " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /** @param o overflow policy; default {@link Overflow#QUEUE} */
        public Builder overflow(Overflow o) {
            this.overflow = java.util.Objects.requireNonNull(o, "overflow");
            return this;
        }

        /**
         * @param n most requests waiting in the client under the queue policy, in {@code [0, MAX_QUEUED]}; beyond it
         *     requests are dropped; default 100,000 (8 bytes each)
         */
        public Builder maxQueued(int n) {
            if (n < 0 || n > MAX_QUEUED) {
                throw new IllegalArgumentException("maxQueued must be in [0, " + MAX_QUEUED + "], got " + n);
            }
            this.maxQueued = n;
            return this;
        }

        /**
         * @param d after the schedule ends, how long queued and in-flight requests may take to finish before they are
         *     cancelled (counted as errors of kind other), {@code >= 0}; default 10 s
         */
        public Builder drainTimeout(Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be >= 0, got " + d);
            }
            this.drainTimeout = d;
            return this;
        }

        /** @param d length of one recording interval, in {@code [10 ms, 1 h]}; default 1 s */
        public Builder recordInterval(Duration d) {
            if (d == null || d.compareTo(Duration.ofMillis(10)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("recordInterval must be in [10ms, 1h], got " + d);
            }
            this.recordInterval = d;
            return this;
        }

        /** @param n intervals in the sliding window, in {@code [1, 3600]}; default 60 */
        public Builder windowSize(int n) {
            if (n < 1 || n > 3600) {
                throw new IllegalArgumentException("windowSize must be in [1, 3600] intervals, got " + n);
            }
            this.windowSize = n;
            return this;
        }

        /**
         * @param d the start of a run left out of its summary, as wrk2's calibration period: the generator's JIT, the
         *     target's caches and the connection pool warm up in it. Its intervals are still shown live and written
         *     to {@code timeline.csv} and {@code latency.hlog}. Rounded up to whole recording intervals; in
         *     {@code [0, 1 h]}; default 0
         */
        public Builder warmup(Duration d) {
            if (d == null || d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("warmup must be in [0, 1h], got " + d);
            }
            this.warmup = d;
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(this);
        }
    }
}
