package io.loadgen.server.batching;

import java.time.Duration;

/**
 * Why the batcher did not run a request. The HTTP layer maps each cause to its status.
 */
public final class Rejection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The cause of a rejection. */
    public enum Cause {
        /** The lane's queue was full (503, with Retry-After). */
        QUEUE_FULL,
        /** The model is not loaded or warmed yet (503). */
        NOT_READY,
        /** The server is draining for shutdown (503). */
        SHUTTING_DOWN,
        /** The deadline passed before inference (504). */
        DEADLINE_EXCEEDED
    }

    private final Cause cause;
    private final Duration retryAfter;

    public Rejection(Cause cause, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.cause = cause;
        this.retryAfter = retryAfter;
    }

    /** @return why */
    public Cause reason() {
        return cause;
    }

    /** @return the suggested wait before a retry, or {@code null} when a retry would not help */
    public Duration retryAfter() {
        return retryAfter;
    }
}
