package io.loadgen.rmi.fleet;

import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;

/**
 * The JVM-wide serial filter factory (JEP 415) that puts {@link PollFilter} on the streams of a coordinator's polls
 * and leaves every other stream as it would be without a factory. The JDK takes a factory only before the first
 * {@code ObjectInputStream} of the JVM: {@link PollFilter#install()} first thing in {@code main}, or
 * {@code -Djdk.serialFilterFactory=io.loadgen.rmi.fleet.PollFilterFactory}. Stateless; thread-safe.
 */
public final class PollFilterFactory implements BinaryOperator<ObjectInputFilter> {
    /** For the JDK, which makes one from {@code jdk.serialFilterFactory}. */
    public PollFilterFactory() {
    }

    /**
     * @param current the stream's filter, or {@code null} when the stream is being made
     * @param next the filter asked for: when the stream is being made, the JVM-wide one ({@code jdk.serialFilter}), if
     *     any; else the one given to {@code setObjectInputFilter}
     * @return what the JDK's own factory returns ({@code next}), merged with the poll filter for a stream made on a
     *     poll's thread
     */
    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
        if (current == null && PollFilter.active()) {
            return next == null ? PollFilter.FILTER : ObjectInputFilter.merge(PollFilter.FILTER, next);
        }
        return next;
    }
}
