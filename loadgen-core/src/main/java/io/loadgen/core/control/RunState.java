package io.loadgen.core.control;

/** Where a load generator stands. */
public enum RunState {
    /** No run has started yet, or the generator waits for a start. */
    IDLE,
    /** A run schedules requests. */
    RUNNING,
    /** Scheduling has ended; queued and in-flight requests are finishing. */
    STOPPING,
    /** The last run has ended; its summary is final. */
    ENDED
}
