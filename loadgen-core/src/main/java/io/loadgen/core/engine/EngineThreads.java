package io.loadgen.core.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes and remembers the threads of one run's generator (scheduler, interval clock, transport I/O), so that their
 * CPU time can be read for the run's verdict. Threads are daemons. Thread-safe.
 */
final class EngineThreads {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /** @return a factory of threads named {@code prefix-N}, each remembered */
    ThreadFactory factory(String prefix, int priority) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            t.setPriority(priority);
            threads.add(t);
            return t;
        };
    }

    /** @return a new thread, remembered */
    Thread thread(Runnable r, String name, int priority) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.setPriority(priority);
        threads.add(t);
        return t;
    }

    /** @return every thread made so far */
    List<Thread> all() {
        return List.copyOf(threads);
    }
}
