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

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
        if (next != null) {
            return next; // a stream given a filter of its own keeps it, as without a factory
        }
        return PollFilter.active() ? current == null ? PollFilter.FILTER : ObjectInputFilter.merge(PollFilter.FILTER,
                current) : current;
    }
}
