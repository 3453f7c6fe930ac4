package io.loadgen.core.engine;

import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
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
    private final Warmup warmup;

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

    /** @return the engine settings of these values ({@link CoreSettings#ENGINE_GROUP} and the warm-up) */
    public static EngineConfig from(Settings s) {
        return custom()
                .maxInFlight(s.get(CoreSettings.MAX_IN_FLIGHT))
                .overflow(s.get(CoreSettings.OVERFLOW))
                .maxQueued(s.get(CoreSettings.MAX_QUEUED))
                .drainTimeout(s.get(CoreSettings.DRAIN_TIMEOUT))
                .recordInterval(s.get(CoreSettings.RECORD_INTERVAL))
                .windowSize(s.get(CoreSettings.WINDOW_SIZE))
                .warmup(s.get(CoreSettings.WARMUP))
                .build();
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

    /** @return the warm-up: the self-warm before the start, and the start of the run left out of its summary */
    public Warmup warmup() {
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
        private int maxInFlight = CoreSettings.MAX_IN_FLIGHT.defaultValue();
        private Overflow overflow = CoreSettings.OVERFLOW.defaultValue();
        private int maxQueued = CoreSettings.MAX_QUEUED.defaultValue();
        private Duration drainTimeout = CoreSettings.DRAIN_TIMEOUT.defaultValue();
        private Duration recordInterval = CoreSettings.RECORD_INTERVAL.defaultValue();
        private int windowSize = CoreSettings.WINDOW_SIZE.defaultValue();
        private Warmup warmup = CoreSettings.WARMUP.defaultValue();

        private Builder() {
        }

        /**
         * @param n most requests sent and not yet answered, in {@code [1, MAX_IN_FLIGHT]}, or 0 (default): the
         *     connection count for HTTP/1.1, 100 streams per connection for HTTP/2
         */
        public Builder maxInFlight(int n) {
            this.maxInFlight = CoreSettings.MAX_IN_FLIGHT.check(n);
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
            this.maxQueued = CoreSettings.MAX_QUEUED.check(n);
            return this;
        }

        /**
         * @param d after the schedule ends, how long queued and in-flight requests may take to finish before they are
         *     cancelled (counted as errors of kind other), {@code >= 0}; default 10 s
         */
        public Builder drainTimeout(Duration d) {
            this.drainTimeout = CoreSettings.DRAIN_TIMEOUT.check(d);
            return this;
        }

        /** @param d length of one recording interval, in {@code [10 ms, 1 h]}; default 1 s */
        public Builder recordInterval(Duration d) {
            this.recordInterval = CoreSettings.RECORD_INTERVAL.check(d);
            return this;
        }

        /** @param n intervals in the sliding window, in {@code [1, 3600]}; default 60 */
        public Builder windowSize(int n) {
            this.windowSize = CoreSettings.WINDOW_SIZE.check(n);
            return this;
        }

        /** @param w the warm-up ({@link Warmup}); default {@link Warmup#AUTO}: self-warm, nothing left out */
        public Builder warmup(Warmup w) {
            this.warmup = CoreSettings.WARMUP.check(w);
            return this;
        }

        public EngineConfig build() {
            return new EngineConfig(this);
        }
    }
}
