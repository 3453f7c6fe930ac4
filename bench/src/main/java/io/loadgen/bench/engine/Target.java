package io.loadgen.bench.engine;

import java.util.List;

/** An HTTP server on 127.0.0.1 that the tools are run against, started and stopped by the bench. */
public interface Target extends AutoCloseable {
    /** @return its short name, as in {@code --targets}: "nginx", "hello" */
    String name();

    /** @return what it is, for the report */
    String description();

    /** @return the URL the tools are pointed at, http://127.0.0.1:PORT/ */
    String url();

    /** @return the pids of its processes (whose CPU is the target's) */
    List<Long> pids();

    /** @return whether it still runs */
    boolean isAlive();

    /** Stops it and everything it started. */
    @Override
    void close() throws InterruptedException;
}
