package io.loadgen.core.engine;

import io.loadgen.core.metrics.Recorder;
import io.loadgen.core.schedule.ArrivalPlanner;
import io.loadgen.core.schedule.ArrivalProcess;
import io.loadgen.core.schedule.RateProfile;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One thread's share of a run: its arrivals (open loop: its own {@link ArrivalPlanner}, whose process is the run's
 * split {@code n} ways) or its sessions (closed loop), its in-flight slots and client queue ({@link Dispatcher}), its
 * transport and its {@link Recorder}. Nothing of a lane is touched per request by another thread, except
 * completions, when the transport's I/O threads are not the lane's (HttpClient 5). A {@link LaneDriver} calls
 * {@link #tick} on the lane's thread; control changes are published here and picked up at the next tick.
 */
final class Lane {
    /** Returned by {@link #tick} once the lane has ended scheduling. */
    static final long ENDED = Long.MIN_VALUE;
    /** Back-to-back dispatches before a tick yields (to I/O, to control changes). */
    static final int MAX_BATCH = 256;

    private record ProfileChange(RateProfile profile, long atNanos) {
    }

    final int index;
    final Recorder recorder;
    final Dispatcher dispatcher;
    final InFlightLimit limit;
    final Transport transport;
    final LaneDriver driver;
    private final long endNanos;
    private final AtomicLong budget;
    private final Runnable onEnded;
    private final AtomicReference<ProfileChange> pendingChange = new AtomicReference<>();
    private volatile int pendingConcurrency = -1;
    private volatile long stopAt = Long.MAX_VALUE;
    private volatile boolean ended;
    private volatile Throwable failure;
    private ArrivalPlanner planner;
    private Sessions sessions;
    private long due;

    /**
     * @param index the lane's number
     * @param recorder its recorder
     * @param dispatcher its dispatcher
     * @param limit its in-flight limit
     * @param transport its transport (for the lean one, its own connections)
     * @param driver runs its ticks
     * @param endNanos the end of scheduling by the plan's length, or {@link Long#MAX_VALUE}
     * @param budget requests the run may still schedule (shared by the lanes), or null for no count
     * @param onEnded called once, on the lane's thread, when the lane has ended scheduling
     */
    Lane(int index, Recorder recorder, Dispatcher dispatcher, InFlightLimit limit, Transport transport,
            LaneDriver driver, long endNanos, AtomicLong budget, Runnable onEnded) {
        this.index = index;
        this.recorder = recorder;
        this.dispatcher = dispatcher;
        this.limit = limit;
        this.transport = transport;
        this.driver = driver;
        this.endNanos = endNanos;
        this.budget = budget;
        this.onEnded = onEnded;
    }

    /** Open loop: this lane's arrivals, from its share of the arrival process. */
    void openLoop(ArrivalProcess process, RateProfile profile, long originNanos) {
        this.planner = new ArrivalPlanner(process, profile, originNanos);
        this.due = planner.due();
    }

    /** Closed loop: this lane's sessions, all ready at the origin. */
    void closedLoop(int count, long thinkNanos, long originNanos) {
        this.sessions = new Sessions(count, thinkNanos, originNanos);
        dispatcher.onEnd(sessions::ended);
    }

    // ---------------------------------------------------------------- control, from any thread

    void changeProfile(RateProfile p, long atNanos) {
        pendingChange.set(new ProfileChange(p, atNanos));
        driver.wake();
    }

    void setConcurrency(int n) {
        pendingConcurrency = n;
        driver.wake();
    }

    /** Nothing intended at or after {@code atNanos} is dispatched. */
    void stopAt(long atNanos) {
        stopAt = Math.min(stopAt, atNanos);
        driver.wake();
    }

    boolean ended() {
        return ended;
    }

    Throwable failure() {
        return failure;
    }

    /** The lane's thread failed: the lane ends now. */
    void fail(Throwable t) {
        failure = t;
        if (!ended) {
            end(System.nanoTime());
        }
    }

    // ---------------------------------------------------------------- the lane's thread

    /**
     * Dispatches what is due and picks up control changes.
     *
     * @param now the time now
     * @return when the lane next has something due (it may be woken earlier), or {@link #ENDED}
     */
    long tick(long now) {
        if (ended) {
            return ENDED;
        }
        long stop = Math.min(endNanos, stopAt);
        dispatcher.drainQueue();
        return sessions != null ? tickClosed(now, stop) : tickOpen(now, stop);
    }

    private long tickOpen(long now, long stop) {
        ProfileChange change = pendingChange.getAndSet(null);
        if (change != null) {
            // Never re-plan into the past the clock may have sealed already.
            due = planner.changeProfile(change.profile(), Math.max(change.atNanos(),
                    recorder.arrivalsClosedBefore()));
        }
        int n = 0;
        while (due <= now && due < stop) {
            if (budget != null && budget.getAndDecrement() <= 0) {
                end(Math.min(due, now));
                return ENDED;
            }
            dispatcher.arrive(due, now, now - due);
            due = planner.next();
            if (++n == MAX_BATCH) {
                recorder.closeArrivalsBefore(Math.min(due, now));
                return now; // more may be due: yield, then go on at once
            }
            if ((n & 15) == 0) {
                now = System.nanoTime();
            }
        }
        recorder.closeArrivalsBefore(Math.min(due, now));
        if (now >= stop) {
            end(Math.min(stop, due));
            return ENDED;
        }
        return Math.min(due, stop);
    }

    private long tickClosed(long now, long stop) {
        int c = pendingConcurrency;
        if (c >= 0) {
            pendingConcurrency = -1;
            sessions.setCount(c, now);
            int conns = Math.max(1, c);
            transport.resize(conns);
        }
        int n = 0;
        long ready;
        while (now < stop && (ready = sessions.nextReady()) <= now) {
            if (budget != null && budget.getAndDecrement() <= 0) {
                end(now);
                return ENDED;
            }
            sessions.take();
            // No intended time in a closed loop: the request is due when it is sent; send lag is how late the lane
            // sent it after its session became ready.
            dispatcher.arrive(now, now, now - ready);
            if (++n == MAX_BATCH) {
                recorder.closeArrivalsBefore(now);
                return now;
            }
        }
        recorder.closeArrivalsBefore(now);
        if (now >= stop) {
            end(Math.min(stop, now));
            return ENDED;
        }
        return Math.min(sessions.nextReady(), stop);
    }

    private void end(long scheduleEndNanos) {
        recorder.endSchedule(scheduleEndNanos);
        ended = true;
        onEnded.run();
    }

    /** @return the sessions of a closed-loop lane now, or 0 */
    int concurrency() {
        return sessions == null ? 0 : sessions.count();
    }

    @Override
    public String toString() {
        return "lane " + index;
    }
}
