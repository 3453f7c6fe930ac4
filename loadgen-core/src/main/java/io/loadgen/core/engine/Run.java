package io.loadgen.core.engine;

import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Recorder;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.RunTotals;
import io.loadgen.core.metrics.SlidingWindow;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.ArrivalPlanner;
import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: a scheduler thread that dispatches each request at its intended time, and an interval clock that samples
 * the recorder every {@code recordInterval}. Created started; ends by itself when its length has passed, or on
 * {@link #requestStop}.
 */
final class Run {
    private static final Logger LOG = LoggerFactory.getLogger(Run.class);
    /** Waits shorter than this are spun rather than parked (a park overshoots by tens of microseconds). */
    private static final long SPIN_NANOS = 20_000;
    /** The scheduler re-checks for stop and profile changes at least after this many back-to-back dispatches. */
    private static final int MAX_BATCH = 256;

    private final Workload workload;
    private final TransportConfig transportConfig;
    private final EngineConfig engineConfig;
    private final RunPlan plan;
    private final List<IntervalListener> listeners;
    private final Recorder recorder = new Recorder();
    private final SlidingWindow window;
    private final RunTotals totals = new RunTotals();
    private final Instant startInstant;
    private final long startNanos;
    private final long endNanos;
    private final AtomicReference<ProfileChange> pendingChange = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread schedulerThread;
    private final ScheduledExecutorService clock;
    private final Transport transport;
    private final Dispatcher dispatcher;
    private final Object tickLock = new Object();

    private volatile RateProfile profile;
    private volatile long profileStartNanos;
    private volatile RunState state = RunState.RUNNING;
    private volatile String endReason;
    private volatile long scheduleEndNanos = Long.MIN_VALUE;
    private long lastTickNanos;
    /** Start of the first interval counted in the summary; MIN_VALUE before it. */
    private long summaryStartNanos = Long.MIN_VALUE;
    private long completedInTime = -1;
    private long intervalIndex;
    private boolean clockClosed;
    private RunSummary finalSummary;

    private record ProfileChange(RateProfile profile, long atNanos) {
    }

    Run(Workload workload, TransportConfig transportConfig, EngineConfig engineConfig, RunPlan plan,
            List<IntervalListener> listeners) {
        this.workload = workload;
        this.transportConfig = transportConfig;
        this.engineConfig = engineConfig;
        this.plan = plan;
        this.listeners = List.copyOf(listeners);
        this.window = new SlidingWindow(engineConfig.windowSize());
        this.profile = plan.profile();

        int connections = transportConfig.connectionsFor(plan.profile().peakRate());
        this.transport = new HttpClientTransport(transportConfig, connections);
        this.schedulerThread = new Thread(this::schedule, "loadgen-scheduler");
        this.schedulerThread.setDaemon(true);
        this.schedulerThread.setPriority(Thread.MAX_PRIORITY);
        this.dispatcher = new Dispatcher(transport, workload, recorder, engineConfig,
                maxInFlightFor(plan.profile().peakRate()), schedulerThread);
        this.clock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadgen-interval-clock");
            t.setDaemon(true);
            return t;
        });

        this.startInstant = Instant.now();
        this.startNanos = System.nanoTime();
        this.profileStartNanos = startNanos;
        this.lastTickNanos = startNanos;
        long length = plan.length().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        this.endNanos = length >= Long.MAX_VALUE - startNanos ? Long.MAX_VALUE : startNanos + length;
        long tick = engineConfig.recordInterval().toNanos();
        clock.scheduleAtFixedRate(() -> tick(false), tick, tick, TimeUnit.NANOSECONDS);
        schedulerThread.start();
        LOG.info("run started: {} {} arrivals, profile {}, length {}, {} connections, in-flight limit {}",
                workload, plan.arrival().name().toLowerCase(Locale.ROOT), plan.profile().spec(),
                plan.length().map(Duration::toString).orElse("until stopped"), connections,
                dispatcher.maxInFlight());
    }

    private int maxInFlightFor(double peakRate) {
        return engineConfig.maxInFlight() > 0 ? engineConfig.maxInFlight()
                : transportConfig.connectionsFor(peakRate);
    }

    // ---------------------------------------------------------------- scheduler thread

    private void schedule() {
        try {
            ArrivalPlanner planner = new ArrivalPlanner(plan.arrival().create(plan.seed()), plan.profile(),
                    startNanos);
            long due = planner.due();
            while (endReason == null) {
                ProfileChange change = pendingChange.getAndSet(null);
                if (change != null) {
                    due = planner.changeProfile(change.profile(), change.atNanos());
                }
                dispatcher.drainQueue();
                long now = System.nanoTime();
                if (due <= now && due < endNanos) {
                    int n = 0;
                    do {
                        dispatcher.arrive(due, now);
                        due = planner.next();
                        now = System.nanoTime();
                    } while (due <= now && due < endNanos && ++n < MAX_BATCH);
                    continue;
                }
                if (now >= endNanos) {
                    endReason = "completed";
                    break;
                }
                long wait = Math.min(due, endNanos) - now;
                if (wait < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, wait - SPIN_NANOS / 2);
                }
            }
            scheduleEndNanos = Math.min(System.nanoTime(), endNanos);
            // Close an interval at the end of scheduling: what completes later is the drain.
            tick(false);
            synchronized (tickLock) {
                completedInTime = totals.counts().completed();
            }
            state = RunState.STOPPING;
            drain();
        } catch (Throwable t) {
            LOG.error("scheduler failed; the run ends", t);
            if (endReason == null) {
                endReason = "failed: " + t;
            }
            if (scheduleEndNanos == Long.MIN_VALUE) {
                scheduleEndNanos = System.nanoTime();
            }
        } finally {
            finish();
        }
    }

    private void drain() {
        long deadline = System.nanoTime() + engineConfig.drainTimeout().toNanos();
        while ((dispatcher.queued() > 0 || dispatcher.inFlight() > 0) && System.nanoTime() < deadline) {
            dispatcher.drainQueue();
            LockSupport.parkNanos(this, 1_000_000);
        }
        if (dispatcher.queued() > 0 || dispatcher.inFlight() > 0) {
            LOG.warn("drain timeout {}: {} queued requests dropped, {} in flight cancelled",
                    engineConfig.drainTimeout(), dispatcher.queued(), dispatcher.inFlight());
        }
        dispatcher.dropQueued();
    }

    private void finish() {
        try {
            transport.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the transport failed", e);
        }
        clock.shutdown();
        try {
            clock.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tick(true);
        synchronized (tickLock) {
            finalSummary = summarize(endReason);
        }
        state = RunState.ENDED;
        ended.countDown();
        LOG.info("run ended ({}): {} scheduled, {} completed, {} errors, {} dropped", endReason,
                finalSummary.counts().scheduled(), finalSummary.counts().completed(),
                finalSummary.counts().errors().total(), finalSummary.counts().dropped());
    }

    // ---------------------------------------------------------------- interval clock

    private void tick(boolean last) {
        synchronized (tickLock) {
            if (clockClosed) {
                return;
            }
            if (last) {
                clockClosed = true;
            }
            long now = System.nanoTime();
            Recorder.Sample sample = recorder.sample();
            long lengthNanos = now - lastTickNanos;
            // A short interval (under half the recording interval) in which nothing happened (the end of scheduling on a
            // tick, or the drain ending at once) is not worth a row.
            if (lengthNanos < engineConfig.recordInterval().toNanos() / 2 && sample.counts().scheduled() == 0
                    && sample.counts().completed() == 0
                    && sample.counts().dropped() == 0 && sample.counts().sent() == 0) {
                return;
            }
            IntervalStats stats = new IntervalStats(intervalIndex++,
                    startInstant.plusNanos(lastTickNanos - startNanos), Duration.ofNanos(Math.max(1, lengthNanos)),
                    currentRate(), sample.counts(), dispatcher.inFlight(), dispatcher.queued(),
                    LatencySummary.of(sample.histograms().latency()),
                    LatencySummary.of(sample.histograms().serviceTime()),
                    LatencySummary.of(sample.histograms().sendLag()));
            long intervalStart = lastTickNanos;
            lastTickNanos = now;
            window.add(stats, sample.histograms());
            if (intervalStart - startNanos >= engineConfig.warmup().toNanos()) {
                if (summaryStartNanos == Long.MIN_VALUE) {
                    summaryStartNanos = intervalStart;
                }
                totals.add(sample.counts(), sample.histograms());
            }
            for (IntervalListener l : listeners) {
                try {
                    l.onInterval(stats, sample.histograms());
                } catch (RuntimeException e) {
                    LOG.warn("interval listener {} failed", l, e);
                }
            }
        }
    }

    private RunSummary summarize(String reason) {
        long end = scheduleEndNanos != Long.MIN_VALUE ? scheduleEndNanos : System.nanoTime();
        long from = summaryStartNanos != Long.MIN_VALUE ? Math.min(summaryStartNanos, end) : end;
        String st = reason == null ? "running" : reason;
        long inTime = completedInTime >= 0 ? completedInTime : totals.counts().completed();
        return new RunSummary(workload.target().toString(), profile.spec(),
                plan.arrival().name().toLowerCase(Locale.ROOT), startInstant, Duration.ofNanos(end - from),
                Duration.ofNanos(from - startNanos), st, totals.intervals(), totals.counts(), inTime,
                totals.latency(), totals.serviceTime(), totals.sendLag());
    }

    // ---------------------------------------------------------------- control, from any thread

    void setProfile(RateProfile newProfile) {
        long now = System.nanoTime();
        double peak = newProfile.peakRate();
        int wanted = transportConfig.connectionsFor(peak);
        if (transportConfig.connections() == 0) {
            transport.resize(Math.max(wanted, transportConfig.connectionsFor(profile.peakRate())));
        }
        if (engineConfig.maxInFlight() == 0 && wanted > dispatcher.maxInFlight()) {
            dispatcher.setMaxInFlight(wanted);
        }
        profile = newProfile;
        profileStartNanos = now;
        pendingChange.set(new ProfileChange(newProfile, now));
        LockSupport.unpark(schedulerThread);
    }

    double currentRate() {
        return profile.rateAt(Duration.ofNanos(Math.max(0, System.nanoTime() - profileStartNanos)));
    }

    RateProfile profile() {
        return profile;
    }

    RunPlan plan() {
        return plan;
    }

    RunState state() {
        return state;
    }

    Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    WindowStats window() {
        return window.snapshot();
    }

    RunSummary summary() {
        synchronized (tickLock) {
            return finalSummary != null ? finalSummary : summarize(null);
        }
    }

    /** Asks the run to end (no-op if it is ending already). */
    void requestStop(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
        LockSupport.unpark(schedulerThread);
    }

    /**
     * Waits for the run to end.
     *
     * @return whether it ended within the timeout
     */
    boolean await(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
