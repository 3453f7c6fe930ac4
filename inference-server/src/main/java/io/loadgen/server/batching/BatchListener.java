package io.loadgen.server.batching;

import java.time.Duration;

/** Hears what the batcher does, for metrics. Called on batcher threads: return quickly. */
public interface BatchListener {
    /** A batch ran. */
    void batchRan(int size, Duration inferenceTime);

    /** A request waited this long in its lane before its batch ran. */
    void queued(Lane lane, Duration wait);

    /** A request was rejected. */
    void rejected(Rejection.Cause cause);

    /** A listener that ignores everything. */
    BatchListener NONE = new BatchListener() {
        @Override
        public void batchRan(int size, Duration inferenceTime) {
        }

        @Override
        public void queued(Lane lane, Duration wait) {
        }

        @Override
        public void rejected(Rejection.Cause cause) {
        }
    };
}
