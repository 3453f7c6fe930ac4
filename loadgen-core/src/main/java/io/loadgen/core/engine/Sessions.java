package io.loadgen.core.engine;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One lane's closed-loop sessions: each is in flight or ready (its previous request ended, its think time running).
 * Ready times are kept in a queue that completions on any thread add to; the lane's thread takes from it. The number
 * of sessions can change while the run goes on: new ones are ready at once, and surplus ones retire as they become
 * ready.
 */
final class Sessions {
    private final ConcurrentLinkedQueue<Long> ready = new ConcurrentLinkedQueue<>();
    private final long thinkNanos;
    private int active;
    private int retiring;

    /**
     * @param count sessions at the start, all ready at {@code nowNanos}
     * @param thinkNanos think time
     */
    Sessions(int count, long thinkNanos, long nowNanos) {
        this.thinkNanos = thinkNanos;
        setCount(count, nowNanos);
    }

    /** (Lane thread) Sets the number of sessions. */
    void setCount(int n, long nowNanos) {
        if (n > active) {
            int add = n - active;
            int revived = Math.min(add, retiring);
            retiring -= revived;
            for (int i = revived; i < add; i++) {
                ready.add(nowNanos);
            }
        } else {
            retiring += active - n;
        }
        active = n;
    }

    /** @return the number of sessions */
    int count() {
        return active;
    }

    /** (Any thread) A session's request ended at {@code endNanos}: it is ready again after its think time. */
    void ended(long endNanos) {
        ready.add(endNanos + thinkNanos);
    }

    /** (Lane thread) @return when the next session is ready, or {@link Long#MAX_VALUE} when none is */
    long nextReady() {
        while (true) {
            Long t = ready.peek();
            if (t == null) {
                return Long.MAX_VALUE;
            }
            if (retiring > 0) {
                ready.poll();
                retiring--;
                continue;
            }
            return t;
        }
    }

    /** (Lane thread) Takes the session that {@link #nextReady()} named. */
    long take() {
        return ready.poll();
    }
}
