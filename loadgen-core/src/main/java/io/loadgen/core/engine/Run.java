package io.loadgen.core.engine;

import io.loadgen.core.control.RunState;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Recorder;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.RunTotals;
import io.loadgen.core.metrics.SlidingWindow;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.ArrivalPlanner;
import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: a scheduler thread that self-warms (unless told not to), then dispatches each request at its intended
 * time, and an interval clock that seals each interval once all its requests are accounted for. Created started;
 * ends by itself when its length has passed, or on {@link #requestStop}.
 */
final class Run {
    private static final Logger LOG = LoggerFactory.getLogger(Run.class);
    /** Waits shorter than this are spun rather than parked (a park overshoots by tens of microseconds). */
    private static final long SPIN_NANOS = 20_000;
    /** The scheduler re-checks for stop and profile changes at least after this many back-to-back dispatches. */
    private static final int MAX_BATCH = 256;
    /** A run that sent this many requests has compiled the request path: later runs in the JVM skip self-warm. */
    private static final long WARM_AFTER_REQUESTS = 20_000;

    private final Workload workload;
    private final TransportConfig transportConfig;
    private final EngineConfig engineConfig;
    private final RunPlan plan;
    private final List<IntervalListener> listeners;
    private final SlidingWindow window;
    private final RunTotals totals = new RunTotals();
    private final EngineThreads threads = new EngineThreads();
    private final GeneratorMonitor monitor;
    private final InFlightLimit limit;
    private final AtomicReference<ProfileChange> pendingChange = new AtomicReference<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread schedulerThread;
    private final Object tickLock = new Object();
    private final long createdNanos = System.nanoTime();
    private final long warmupIntervals;
    private final long intervalNanos;

    private volatile Instant startInstant = Instant.now();
    private volatile long origin = Long.MIN_VALUE;
    private volatile Recorder recorder;
    private volatile Transport transport;
    private volatile Dispatcher dispatcher;
    private volatile RateProfile profile;
    private volatile long profileStartNanos;
    private volatile RunState state = RunState.RUNNING;
    private volatile String endReason;
    private volatile String selfWarm = "";
    private Thread clockThread;
    private long lastObservedInterval = -1;
    private long lastWaitingNotice = -1;
    private long poolChecks;
    private long poolWaits;
    private boolean measuring;
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
        this.intervalNanos = engineConfig.recordInterval().toNanos();
        long w = engineConfig.warmup().atTarget().toNanos();
        this.warmupIntervals = (w + intervalNanos - 1) / intervalNanos;
        int perConnection = transportConfig.httpVersion() == TransportConfig.HttpVersion.HTTP_2 ? 100 : 1;
        int fixed = engineConfig.maxInFlight() > 0 ? engineConfig.maxInFlight()
                : (int) Math.min(EngineConfig.MAX_IN_FLIGHT, (long) transportConfig.connections() * perConnection);
        this.limit = new InFlightLimit(fixed, transportConfig.connectionsFor(plan.profile().peakRate()),
                InFlightLimit.machineCeiling(), n -> {
                    Transport t = transport;
                    if (t != null && transportConfig.connections() == 0) {
                        t.resize(n);
                    }
                });
        this.monitor = new GeneratorMonitor(threads);
        this.schedulerThread = threads.thread(this::schedule, "loadgen-scheduler", Thread.MAX_PRIORITY);
        schedulerThread.start();
    }

    private int poolSize() {
        if (transportConfig.connections() > 0) {
            return transportConfig.connections();
        }
        return Math.max(limit.get(), engineConfig.maxInFlight());
    }

    // ---------------------------------------------------------------- scheduler thread

    private void schedule() {
        try {
            if (engineConfig.warmup().selfWarm()) {
                selfWarm = SelfWarm.run(workload, transportConfig, () -> endReason != null);
            }
            transport = new HttpClientTransport(transportConfig, Math.min(poolSize(), TransportConfig.MAX_CONNECTIONS),
                    threads.factory("loadgen-io", Thread.NORM_PRIORITY));
            long start = System.nanoTime();
            recorder = new Recorder(start, engineConfig.recordInterval());
            dispatcher = new Dispatcher(transport, workload, recorder, engineConfig, limit, schedulerThread,
                    this::currentRate);
            startInstant = Instant.now();
            origin = start;
            ProfileChange early = pendingChange.getAndSet(null);
            RateProfile p = early != null ? early.profile() : plan.profile();
            profile = p;
            profileStartNanos = start;
            long length = plan.length().map(Duration::toNanos).orElse(Long.MAX_VALUE);
            long endNanos = length >= Long.MAX_VALUE - start ? Long.MAX_VALUE : start + length;
            if (warmupIntervals == 0) {
                synchronized (tickLock) {
                    monitor.markStart();
                    measuring = true;
                }
            }
            clockThread = threads.thread(this::clock, "loadgen-interval-clock", Thread.MAX_PRIORITY - 1);
            clockThread.start();
            LOG.info("run started: {} {} arrivals, profile {}, length {}, in-flight limit {}{}", workload,
                    plan.arrival().name().toLowerCase(Locale.ROOT), p.spec(),
                    plan.length().map(Duration::toString).orElse("until stopped"), limit.get(),
                    limit.isAuto() ? " (auto)" : "");

            ArrivalPlanner planner = new ArrivalPlanner(plan.arrival().create(plan.seed()), p, start);
            long due = planner.due();
            while (endReason == null) {
                ProfileChange change = pendingChange.getAndSet(null);
                if (change != null) {
                    // Never re-plan into the past the clock may have sealed already.
                    due = planner.changeProfile(change.profile(), Math.max(change.atNanos(),
                            recorder.arrivalsClosedBefore()));
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
                    recorder.closeArrivalsBefore(Math.min(due, now));
                    continue;
                }
                recorder.closeArrivalsBefore(Math.min(due, now));
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
            // The schedule ends at the first intended time not dispatched (a stop may come while behind).
            long scheduleEnd = Math.min(Math.min(System.nanoTime(), endNanos), due);
            recorder.endSchedule(scheduleEnd);
            monitor.markEnd();
            state = RunState.STOPPING;
            drain();
        } catch (Throwable t) {
            LOG.error("scheduler failed; the run ends", t);
            if (endReason == null) {
                endReason = "failed: " + t;
            }
            if (recorder != null && recorder.scheduleEnd() == Long.MAX_VALUE) {
                recorder.endSchedule(System.nanoTime());
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
        long[] left = dispatcher.abandon(System.nanoTime());
        if (left[0] > 0 || left[1] > 0) {
            LOG.warn("drain timeout {}: {} queued requests dropped, {} in flight recorded as unfinished",
                    engineConfig.drainTimeout(), left[0], left[1]);
        }
    }

    private void finish() {
        if (dispatcher != null) {
            dispatcher.abandon(System.nanoTime()); // resolves what a failed scheduler left (a no-op after a drain)
        }
        try {
            if (transport != null) {
                transport.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("closing the transport failed", e);
        }
        if (clockThread != null) {
            clockThread.interrupt();
            try {
                clockThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (recorder == null) {
            // stopped during the self-warm: an empty run starting now
            long now = System.nanoTime();
            recorder = new Recorder(now, engineConfig.recordInterval());
            recorder.endSchedule(now);
            origin = now;
        }
        tick(System.nanoTime());
        synchronized (tickLock) {
            if (recorder.unsealed() > 0) {
                LOG.error("{} intervals could not be sealed at the end of the run (a bug)", recorder.unsealed());
            }
            finalSummary = summarize(endReason);
        }
        monitor.close();
        if (finalSummary.counts().sent() >= WARM_AFTER_REQUESTS) {
            SelfWarm.markDone();
        }
        state = RunState.ENDED;
        ended.countDown();
        LOG.info("run ended ({}): {} scheduled, {} completed, {} errors, {} dropped, {} unfinished; {}", endReason,
                finalSummary.counts().scheduled(), finalSummary.counts().completed(),
                finalSummary.counts().errors().total(), finalSummary.counts().dropped(),
                finalSummary.counts().unfinished(), finalSummary.verdict().describe());
    }

    // ---------------------------------------------------------------- interval clock

    /** Seals intervals as they become complete: at each interval's end, and every few milliseconds after it. */
    private void clock() {
        long poll = Math.max(5_000_000L, Math.min(100_000_000L, intervalNanos / 4));
        try {
            while (true) {
                long now = System.nanoTime();
                long current = (now - origin) / intervalNanos;
                long nextEnd = origin + (current + 1) * intervalNanos;
                boolean behind = recorder.sealed() < current || recorder.scheduleEnd() != Long.MAX_VALUE;
                long wake = behind ? Math.min(nextEnd, now + poll) : nextEnd;
                TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - now + 200_000));
                tick(System.nanoTime());
            }
        } catch (InterruptedException stop) {
            // the run is finishing
        } catch (RuntimeException e) {
            LOG.error("interval clock failed", e);
        }
    }

    private void tick(long now) {
        synchronized (tickLock) {
            Recorder r = recorder;
            Dispatcher d = dispatcher;
            if (r == null) {
                return;
            }
            if (!measuring && now >= origin + warmupIntervals * intervalNanos) {
                monitor.markStart();
                measuring = true;
            }
            long current = (now - origin) / intervalNanos;
            if (d != null && current > lastObservedInterval && r.scheduleEnd() == Long.MAX_VALUE) {
                lastObservedInterval = current;
                limit.observe(d.takePeak());
                if (measuring) {
                    poolChecks++;
                    if (transport != null && transport.pendingConnections() > 0) {
                        poolWaits++;
                    }
                }
            }
            List<Recorder.Sealed> sealed = r.sealReady(now, () -> new Recorder.Gauge(d == null ? 0 : d.inFlight(),
                    d == null ? 0 : d.queued(), currentRate()));
            for (Recorder.Sealed s : sealed) {
                publish(s);
            }
            if (current >= r.sealed() + 2 && current > lastWaitingNotice) {
                lastWaitingNotice = current;
                IntervalListener.Waiting w = new IntervalListener.Waiting(r.sealed(), Duration.ofNanos(now - origin),
                        d == null ? 0 : d.inFlight(), d == null ? 0 : d.queued());
                for (IntervalListener l : listeners) {
                    try {
                        l.onWaiting(w);
                    } catch (RuntimeException e) {
                        LOG.warn("interval listener {} failed", l, e);
                    }
                }
            }
        }
    }

    private void publish(Recorder.Sealed s) {
        boolean warm = s.index() < warmupIntervals;
        IntervalStats stats = new IntervalStats(s.index(), warm,
                startInstant.plusNanos(s.startNanos() - origin), Duration.ofNanos(Math.max(1, s.lengthNanos())),
                s.gauge().targetRate(), s.counts(), s.gauge().inFlight(), s.gauge().queued(),
                LatencySummary.of(s.histograms().latency()),
                LatencySummary.of(s.histograms().serviceTime()), LatencySummary.of(s.histograms().sendLag()));
        window.add(stats, s.histograms());
        if (!warm) {
            totals.add(s.counts(), s.histograms(), s.completedBeforeScheduleEnd());
        }
        for (IntervalListener l : listeners) {
            try {
                l.onInterval(stats, s.histograms());
            } catch (RuntimeException e) {
                LOG.warn("interval listener {} failed", l, e);
            }
        }
    }

    private RunSummary summarize(String reason) {
        Recorder r = recorder;
        long o = origin == Long.MIN_VALUE ? createdNanos : origin;
        long from = o + warmupIntervals * intervalNanos;
        long end;
        if (r == null) {
            end = from;
        } else if (r.scheduleEnd() != Long.MAX_VALUE) {
            end = r.scheduleEnd();
        } else {
            end = o + r.sealed() * intervalNanos;
        }
        Duration window = Duration.ofNanos(Math.max(0, end - from));
        Duration warm = Duration.ofNanos(Math.min(warmupIntervals * intervalNanos, Math.max(0, end - o)));
        GeneratorLoad load = monitor.load();
        Counts c = totals.counts();
        Verdict verdict = VerdictJudge.judge(c, totals.sendLag(), load, window, limits(),
                poolChecks == 0 ? 0 : (double) poolWaits / poolChecks);
        return new RunSummary(workload.target().toString(), profile.spec(),
                plan.arrival().name().toLowerCase(Locale.ROOT), startInstant, window, warm,
                reason == null ? "running" : reason, totals.intervals(), c, totals.completedBeforeEnd(),
                totals.latency(), totals.serviceTime(), totals.sendLag(), verdict, load, selfWarm);
    }

    private VerdictJudge.Limits limits() {
        String inFlight = limit.isAuto()
                ? "auto in-flight limit, now " + limit.get() + ", ceiling " + limit.ceiling()
                : "in-flight limit " + limit.get() + (engineConfig.maxInFlight() > 0 ? " (--max-in-flight)"
                        : " (--connections)");
        String conns = transportConfig.connections() > 0 ? transportConfig.connections() + " connections"
                + " (--connections)" : "connections follow the in-flight limit";
        return new VerdictJudge.Limits(inFlight, engineConfig.overflow().name().toLowerCase(Locale.ROOT),
                engineConfig.maxQueued(), conns);
    }

    // ---------------------------------------------------------------- control, from any thread

    void setProfile(RateProfile newProfile) {
        long now = System.nanoTime();
        limit.raiseTo(transportConfig.connectionsFor(newProfile.peakRate()));
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
        return Duration.ofNanos(System.nanoTime() - createdNanos);
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
