package io.loadgen.bench.engine;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time budget of a bench run, and the share of it each rate search gets: what is left (less what the fixed
 * steps still to come need) divided by the searches still to come, so that time one search does not use goes to the
 * next ones.
 */
public final class Budget {
    private final Duration total;
    private final LongSupplier nanoTime;
    private final long start;

    /**
     * @param total the whole budget
     * @param nanoTime the clock ({@code System::nanoTime})
     */
    public Budget(Duration total, LongSupplier nanoTime) {
        this.total = total;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    /** @return the whole budget */
    public Duration total() {
        return total;
    }

    /** @return time since the start */
    public Duration elapsed() {
        return Duration.ofNanos(nanoTime.getAsLong() - start);
    }

    /** @return what is left of the budget (negative when over) */
    public Duration remaining() {
        return total.minus(elapsed());
    }

    /** @return the end of the whole budget */
    public Deadline deadline() {
        return new Deadline(start + total.toNanos(), nanoTime);
    }

    /**
     * @param searchesLeft this search and those after it
     * @param reserve what the fixed steps after now need
     * @return the end of this search's share
     */
    public Deadline slice(int searchesLeft, Duration reserve) {
        long left = Math.max(0, remaining().minus(reserve).toNanos());
        return new Deadline(nanoTime.getAsLong() + left / Math.max(1, searchesLeft), nanoTime);
    }

    /**
     * A point in time on the budget's clock.
     *
     * @param nanos the clock's value at the deadline
     * @param clock the clock
     */
    public record Deadline(long nanos, LongSupplier clock) {
        /**
         * @param d how long a step takes
         * @return whether it would end before the deadline
         */
        public boolean fits(Duration d) {
            return clock.getAsLong() + d.toNanos() <= nanos;
        }

        /** @return time left until the deadline (negative when past) */
        public Duration left() {
            return Duration.ofNanos(nanos - clock.getAsLong());
        }
    }
}
