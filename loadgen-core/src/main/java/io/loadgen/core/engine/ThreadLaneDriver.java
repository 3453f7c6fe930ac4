package io.loadgen.core.engine;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane on a thread of its own: it parks until the next due time (spinning for the last {@link #SPIN_NANOS}, as a
 * park overshoots by tens of microseconds), and {@link #wake()} unparks it.
 */
final class ThreadLaneDriver implements LaneDriver {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadLaneDriver.class);
    /** Waits shorter than this are spun rather than parked. */
    static final long SPIN_NANOS = 20_000;

    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile Lane lane;
    private volatile boolean done;

    ThreadLaneDriver(EngineThreads threads, String name) {
        this.thread = threads.thread(this::loop, name, Thread.MAX_PRIORITY);
    }

    @Override
    public void start(Lane l) {
        this.lane = l;
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                long now = System.nanoTime();
                long next = lane.tick(now);
                if (next == Lane.ENDED) {
                    break;
                }
                long wait = next - System.nanoTime();
                if (wait <= 0) {
                    continue;
                }
                if (wait < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, wait - SPIN_NANOS / 2);
                }
            }
        } catch (Throwable e) {
            LOG.error("lane {} failed; the run ends", lane, e);
            lane.fail(e);
        } finally {
            done = true;
            Runnable t;
            while ((t = tasks.poll()) != null) {
                t.run();
            }
        }
    }

    @Override
    public void wake() {
        LockSupport.unpark(thread);
    }

    @Override
    public void runOnLane(Runnable task) throws InterruptedException {
        if (done || onLane()) {
            task.run();
            return;
        }
        CountDownLatch ran = new CountDownLatch(1);
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                ran.countDown();
            }
        });
        wake();
        while (!ran.await(10, TimeUnit.MILLISECONDS)) {
            if (done) {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
            }
        }
    }

    @Override
    public boolean onLane() {
        return Thread.currentThread() == thread;
    }

    /** Waits for the lane's thread to end. */
    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }
}
