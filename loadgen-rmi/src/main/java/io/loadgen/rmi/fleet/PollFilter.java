package io.loadgen.rmi.fleet;

import java.io.ObjectInputFilter;
import java.rmi.RemoteException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent's poll may send back to its coordinator, and nothing else: the poll record, its intervals (counts,
 * gauges, compressed histograms as bytes), the JDK types they hold, and the exceptions RMI carries. It applies on
 * the thread of each poll, through the JVM-wide serial filter factory {@link PollFilterFactory}, which leaves every
 * other stream as it was. The JDK takes a factory only before the JVM's first {@code ObjectInputStream}: call
 * {@link #install()} first thing in {@code main}. Without it (a factory set by someone else, or streams made
 * before), polls are read without the filter, and the coordinator says so once. Thread-safe.
 */
public final class PollFilter {
    private static final Logger LOG = LoggerFactory.getLogger(PollFilter.class);
    /** The classes a poll's answer may hold; an array is matched by its element type, byte[] by the limits. */
    static final String PATTERN = "maxdepth=16;maxrefs=1000000;maxbytes=268435456;maxarray=16777216;"
            + "io.loadgen.rmi.fleet.AgentPoll;io.loadgen.rmi.fleet.AgentInterval;io.loadgen.core.metrics.Counts;"
            + "io.loadgen.core.metrics.ErrorCounts;io.loadgen.core.control.RunState;java.lang.Enum;java.lang.String;"
            + "java.util.ImmutableCollections$List12;java.util.ImmutableCollections$ListN;java.util.CollSer;"
            + "java.lang.Object;java.lang.Number;java.lang.Integer;java.lang.Long;"
            // an exception thrown by the agent, as RMI sends it back
            + "java.lang.Throwable;java.lang.Exception;java.lang.RuntimeException;java.lang.Error;"
            + "java.lang.IllegalArgumentException;java.lang.IllegalStateException;java.lang.StackTraceElement;"
            + "java.util.Collections$EmptyList;java.util.Collections$UnmodifiableRandomAccessList;"
            + "java.util.Collections$UnmodifiableList;java.util.Collections$UnmodifiableCollection;"
            + "java.util.ArrayList;java.rmi.*;!*";
    static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(PATTERN);
    private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile boolean available;

    private PollFilter() {
    }

    /** A poll. */
    @FunctionalInterface
    interface Poll {
        AgentPoll call() throws RemoteException;
    }

    /**
     * @param poll the remote call
     * @return its answer, read through the poll filter
     * @throws RemoteException as the call does; an answer holding anything else fails as an
     *     {@link java.rmi.UnmarshalException} caused by an {@link java.io.InvalidClassException}
     */
    static AgentPoll call(Poll poll) throws RemoteException {
        install();
        ACTIVE.set(true);
        try {
            return poll.call();
        } finally {
            ACTIVE.set(false);
        }
    }

    /** @return whether this thread is in a poll */
    static boolean active() {
        return ACTIVE.get();
    }

    /** @return whether the filter applies in this JVM */
    static boolean available() {
        install();
        return available;
    }

    /**
     * Makes {@link PollFilterFactory} this JVM's serial filter factory, if it is not already; once per JVM, and only
     * before the JVM's first {@code ObjectInputStream} (the JDK's rule).
     */
    public static void install() {
        if (!INSTALLED.compareAndSet(false, true)) {
            return;
        }
        if (ObjectInputFilter.Config.getSerialFilterFactory() instanceof PollFilterFactory) {
            available = true; // -Djdk.serialFilterFactory
            return;
        }
        try {
            ObjectInputFilter.Config.setSerialFilterFactory(new PollFilterFactory());
            available = true;
        } catch (IllegalStateException e) {
            LOG.warn("agents' polls are read without the poll filter: {} (install it first thing in main, or start"
                    + " the JVM with -Djdk.serialFilterFactory={})", e.getMessage(), PollFilterFactory.class.getName());
        }
    }
}
