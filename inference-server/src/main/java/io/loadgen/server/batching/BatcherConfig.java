package io.loadgen.server.batching;

import io.loadgen.server.ServerSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link DynamicBatcher}. Immutable; {@link #custom()} gives a builder whose defaults are listed on
 * each setter.
 */
public final class BatcherConfig {
    /** Settings with every default. */
    public static final BatcherConfig DEFAULT = custom().build();

    private final int maxBatch;
    private final Duration maxDelay;
    private final int queueCapacity;
    private final int workers;
    private final Duration defaultDeadline;
    private final Duration starvationLimit;

    private BatcherConfig(Builder b) {
        this.maxBatch = b.maxBatch;
        this.maxDelay = b.maxDelay;
        this.queueCapacity = b.queueCapacity;
        this.workers = b.workers;
        this.defaultDeadline = b.defaultDeadline;
        this.starvationLimit = b.starvationLimit;
    }

    public static Builder custom() {
        return new Builder();
    }

    public int maxBatch() {
        return maxBatch;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    public int queueCapacity() {
        return queueCapacity;
    }

    public int workers() {
        return workers;
    }

    public Duration defaultDeadline() {
        return defaultDeadline;
    }

    public Duration starvationLimit() {
        return starvationLimit;
    }

    @Override
    public String toString() {
        return "BatcherConfig[maxBatch=" + maxBatch + ", maxDelay=" + maxDelay + ", queueCapacity=" + queueCapacity
                + " per lane, workers=" + workers + ", defaultDeadline=" + defaultDeadline + ", starvationLimit="
                + starvationLimit + "]";
    }

    /** Builds a {@link BatcherConfig}. */
    public static final class Builder {
        private int maxBatch = ServerSettings.MAX_BATCH.defaultValue();
        private Duration maxDelay = ServerSettings.MAX_DELAY.defaultValue();
        private int queueCapacity = ServerSettings.QUEUE_SIZE.defaultValue();
        private int workers = ServerSettings.WORKERS.defaultValue();
        private Duration defaultDeadline = ServerSettings.REQUEST_DEADLINE.defaultValue();
        private Duration starvationLimit = Duration.ofMillis(200);

        private Builder() {
        }

        /** @param n most requests in one model run, in [1, 1024]; default 8 (1 turns batching off) */
        public Builder maxBatch(int n) {
            this.maxBatch = ServerSettings.MAX_BATCH.check(n);
            return this;
        }

        /**
         * @param d longest time the oldest queued request waits for a batch to fill before the batch runs anyway, in
         *     [0, 10 s]; default 5 ms
         */
        public Builder maxDelay(Duration d) {
            this.maxDelay = ServerSettings.MAX_DELAY.check(d);
            return this;
        }

        /** @param n most requests waiting in each lane, in [1, 1000000]; beyond it 503; default 256 */
        public Builder queueCapacity(int n) {
            this.queueCapacity = ServerSettings.QUEUE_SIZE.check(n);
            return this;
        }

        /** @param n model instances, each with a thread of its own, in [1, 64]; default 1 */
        public Builder workers(int n) {
            this.workers = ServerSettings.WORKERS.check(n);
            return this;
        }

        /**
         * @param d deadline of a request without {@code X-Deadline-Ms}, counted from its arrival, in [1 ms, 1 h];
         *     default 30 s
         */
        public Builder defaultDeadline(Duration d) {
            this.defaultDeadline = ServerSettings.REQUEST_DEADLINE.check(d);
            return this;
        }

        /**
         * @param d once the oldest batch-lane request has waited this long, it goes into the next batch ahead of
         *     realtime requests, in [0, 1 h]; default 200 ms
         */
        public Builder starvationLimit(Duration d) {
            this.starvationLimit = Objects.requireNonNull(d);
            if (d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("starvation limit must be in [0, 1h], got " + d);
            }
            return this;
        }

        public BatcherConfig build() {
            return new BatcherConfig(this);
        }
    }
}
