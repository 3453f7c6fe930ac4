package io.loadgen.core.engine;

/**
 * Runs a {@link Lane}'s ticks on the lane's one thread and wakes it early when something changes. Two kinds: a
 * dedicated thread that parks between ticks (for HttpClient 5, whose I/O threads are its own), and a Netty event
 * loop that schedules its next tick as a task (for the lean transport: the lane, its connections and their I/O share
 * the loop).
 */
interface LaneDriver {
    /** Starts ticking the lane until it ends. */
    void start(Lane lane);

    /** Asks for a tick as soon as possible (from any thread). */
    void wake();

    /**
     * Runs a task on the lane's thread and waits for it (or runs it here when the lane's thread has ended).
     *
     * @param task what to run
     */
    void runOnLane(Runnable task) throws InterruptedException;

    /** @return whether the calling thread is the lane's */
    boolean onLane();
}
