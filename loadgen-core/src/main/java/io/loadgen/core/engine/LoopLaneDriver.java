package io.loadgen.core.engine;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane on a Netty event loop: each tick runs as a task of the loop and sets the loop's timer (microsecond
 * precision) for the next by the lane's next due time ({@link WakePlan}), so arrivals, writes, reads and completions
 * of the lane all run on the loop's thread with no hand-off. {@link #wake()} runs a tick as soon as the loop is free.
 */
final class LoopLaneDriver implements LaneDriver {
    private static final Logger LOG = LoggerFactory.getLogger(LoopLaneDriver.class);


    private final EventLoop loop;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Runnable tick = this::tick;
    private final WakePlan plan = new WakePlan();
    private Lane lane;
    private ScheduledFuture<?> next;
    private long nextAt = Long.MAX_VALUE;
    /** When the lane next has something due (loop only). */
    private long nextDue = Long.MAX_VALUE;
    private volatile boolean done;

    LoopLaneDriver(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void start(Lane l) {
        this.lane = l;
        loop.execute(tick);
    }

    private void tick() {
        wakeQueued.set(false);
        if (done) {
            return;
        }
        long now = System.nanoTime();
        if (next != null && nextAt <= now) {
            next = null; // this is (or overtook) the scheduled tick
        }
        long due;
        try {
            due = lane.tick(now);
        } catch (Throwable e) {
            LOG.error("lane {} failed; the run ends", lane, e);
            done = true;
            lane.fail(e);
            return;
        }
        if (due == Lane.ENDED) {
            done = true;
            if (next != null) {
                next.cancel(false);
            }
            return;
        }
        nextDue = due;
        long after = System.nanoTime();
        if (due <= after) {
            if (wakeQueued.compareAndSet(false, true)) {
                loop.execute(tick); // more is due: after the I/O the loop has waiting
            }
            return;
        }
        long wakeAt = plan.next(after, due);
        if (next != null && !next.isDone() && nextAt <= wakeAt) {
            return; // an earlier tick is scheduled already
        }
        if (next != null) {
            next.cancel(false);
        }
        nextAt = wakeAt;
        next = loop.schedule(tick, wakeAt - after, TimeUnit.NANOSECONDS);
    }

    /**
     * The loop has just handled I/O (on the loop): dispatch what has come due meanwhile, without waiting for the
     * timer.
     */
    void afterIo() {
        if (!done && lane != null && nextDue <= System.nanoTime() && !wakeQueued.get()) {
            tick();
        }
    }

    @Override
    public void wake() {
        if (done || loop.isShuttingDown()) {
            return;
        }
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                loop.execute(tick);
            } catch (java.util.concurrent.RejectedExecutionException ended) {
                // the loop is shutting down with the run: nothing left to tick
            }
        }
    }

    @Override
    public void runOnLane(Runnable task) throws InterruptedException {
        if (onLane() || loop.isShuttingDown()) {
            task.run();
            return;
        }
        loop.submit(task).await();
    }

    @Override
    public boolean onLane() {
        return loop.inEventLoop();
    }
}
