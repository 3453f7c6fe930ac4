package io.loadgen.core.engine;

import io.loadgen.core.control.RunState;
import io.loadgen.core.http1.Http1Client;
import io.loadgen.core.metrics.CheckCounts;
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
import io.loadgen.core.schedule.ArrivalProcess;
import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run. A coordinator thread self-warms (unless told not to), then starts the run's {@link Lane}s — one per event
 * loop of the lean transport, each owning its connections, its share of the arrivals (or of the closed-loop
 * sessions) and its recorder; or one lane on a scheduler thread of its own in front of HttpClient 5 — waits for them
 * to end, drains, and finishes. An interval clock seals each interval once every request of it, in every lane, is
 * accounted for. Created started; ends by itself when its length (or count) is reached, or on {@link #requestStop}.
 */
final class Run {
    private static final Logger LOG = LoggerFactory.getLogger(Run.class);
    /** A run that sent this many requests has compiled the request path: later runs in the JVM skip self-warm. */
    private static final long WARM_AFTER_REQUESTS = 20_000;
    /** A stop takes effect this long after it is asked for, so that every lane stops at the same intended time. */
    private static final long STOP_MARGIN_NANOS = 1_000_000;

    private final Workload workload;
    /** This run's count of its answers against the workload's checks (the lanes share it). */
    private final ResponseChecks.Tally checkTally;
    private final TransportConfig transportConfig;
    private final EngineConfig engineConfig;
    private final RunPlan plan;
    private final List<IntervalListener> listeners;
    private final SlidingWindow window;
    private final RunTotals totals = new RunTotals();
    private final EngineThreads threads = new EngineThreads();
    private final GeneratorMonitor monitor;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final Thread coordinator;
    private final Object tickLock = new Object();
    /** Orders control changes (profile, concurrency) with the lanes' publication, so that none is lost. */
    private final Object controlLock = new Object();
    private final long startAtNanos;
    private final long createdNanos = System.nanoTime();
    private final long warmupIntervals;
    private final long intervalNanos;

    private volatile Instant startInstant = Instant.now();
    private volatile long origin = Long.MIN_VALUE;
    private volatile List<Lane> lanes = List.of();
    private volatile IntervalMerger merger;
    private volatile RateProfile profile;
    private volatile long profileStartNanos;
    /** The profiles in force over time, for each interval's target rate. */
    private final ProfileHistory history = new ProfileHistory();
    private volatile int concurrency;
    private volatile RunState state = RunState.RUNNING;
    private volatile String endReason;
    private volatile String selfWarm = "";
    private volatile boolean lean;
    private volatile long runEnd = Long.MAX_VALUE;
    private volatile long stopRequestedAt = Long.MAX_VALUE;
    private CountDownLatch lanesEnded;
    private Http1Client http1;
    private HttpClientTransport httpClient;
    private Thread clockThread;
    private long lastObservedInterval = -1;
    private long lastWaitingNotice = -1;
    private long published;
    private long poolChecks;
    private long poolWaits;
    private boolean measuring;
    private RunSummary finalSummary;

    Run(Workload workload, TransportConfig transportConfig, EngineConfig engineConfig, RunPlan plan,
            List<IntervalListener> listeners) {
        this(workload, transportConfig, engineConfig, plan, listeners, Long.MIN_VALUE);
    }

    /**
     * @param startAtNanos the {@link System#nanoTime} at which the run's clock starts (its first interval), so that
     *     agents under a coordinator start together; {@link Long#MIN_VALUE} for as soon as the lanes are ready
     */
    Run(Workload workload, TransportConfig transportConfig, EngineConfig engineConfig, RunPlan plan,
            List<IntervalListener> listeners, long startAtNanos) {
        this.startAtNanos = startAtNanos;
        this.workload = workload;
        this.checkTally = workload.checks().newTally();
        // answers are checked: the transports keep what of each body a check reads
        this.transportConfig = workload.checks().needsBody()
                ? transportConfig.toBuilder().keepBodyBytes(ResponseChecks.BODY_BYTES).build() : transportConfig;
        this.engineConfig = engineConfig;
        this.plan = plan;
        this.listeners = List.copyOf(listeners);
        this.window = new SlidingWindow(engineConfig.windowSize());
        this.profile = plan.profile();
        this.concurrency = plan.concurrency();
        this.intervalNanos = engineConfig.recordInterval().toNanos();
        long w = engineConfig.warmup().atTarget().toNanos();
        this.warmupIntervals = (w + intervalNanos - 1) / intervalNanos;
        this.lean = transportConfig.leanFor(workload.target());
        this.monitor = new GeneratorMonitor(threads);
        this.coordinator = threads.thread(this::coordinate, "loadgen-run", Thread.NORM_PRIORITY);
        coordinator.start();
    }

    // ---------------------------------------------------------------- the coordinator thread

    private void coordinate() {
        try {
            if (engineConfig.warmup().selfWarm()) {
                selfWarm = SelfWarm.run(workload, transportConfig, engineConfig, plan, lean,
                        () -> endReason != null);
            }
            if (endReason != null) {
                return; // stopped during the self-warm: an empty run
            }
            startLanes();
            lanesEnded.await();
            long end = Long.MIN_VALUE;
            for (Lane l : lanes) {
                end = Math.max(end, l.recorder.scheduleEnd());
                if (l.failure() != null && endReason == null) {
                    endReason = Failures.describe(l.failure());
                }
            }
            runEnd = end;
            if (endReason == null) {
                endReason = "completed";
            }
            monitor.markEnd();
            state = RunState.STOPPING;
            drain();
        } catch (Throwable t) {
            LOG.error("run failed", t);
            if (endReason == null) {
                endReason = Failures.describe(t);
            }
        } finally {
            finish();
        }
    }

    private void startLanes() throws InterruptedException {
        int n = laneCount();
        AtomicLong sequence = new AtomicLong();
        AtomicLong budget = plan.count() > 0 ? new AtomicLong(plan.count()) : null;
        if (lean) {
            http1 = new Http1Client(n, threads.factory("loadgen-io", Thread.MAX_PRIORITY));
        } else {
            httpClient = new HttpClientTransport(transportConfig, Math.min(initialPool(1, 0),
                    TransportConfig.MAX_CONNECTIONS), threads.factory("loadgen-io", Thread.NORM_PRIORITY));
        }
        List<Transport> transports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            transports.add(lean ? http1.pool(i, workload.target(), transportConfig.connectTimeout(),
                    transportConfig.responseTimeout(), initialPool(n, i), transportConfig.pipelining(),
                    this.transportConfig.keepBodyBytes(),
                    workload.method().equals("HEAD")) : httpClient);
        }
        if (lean) {
            preconnect(transports, n);
        }
        long start = System.nanoTime();
        if (startAtNanos != Long.MIN_VALUE) {
            while (start < startAtNanos && endReason == null) {
                TimeUnit.NANOSECONDS.sleep(Math.min(startAtNanos - start, 50_000_000L));
                start = System.nanoTime();
            }
            if (start - startAtNanos > intervalNanos) {
                throw new IllegalStateException("the run was ready " + Duration.ofNanos(start - startAtNanos)
                        .toMillis() + " ms after its start time: give it more lead time");
            }
            // the clock starts at the start time even if the lanes are a little late: its first arrivals are late
            start = startAtNanos;
        }
        startInstant = Instant.now().minusNanos(System.nanoTime() - start);
        origin = start;
        profileStartNanos = start;
        history.put(profile, start);
        long length = plan.length().map(Duration::toNanos).orElse(Long.MAX_VALUE);
        long endNanos = length >= Long.MAX_VALUE - start ? Long.MAX_VALUE : start + length;
        lanesEnded = new CountDownLatch(n);
        // the lanes start from one snapshot; a control change while they are made is applied once they are published
        RateProfile builtProfile = profile;
        int builtConcurrency = concurrency;
        List<Lane> built = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Recorder recorder = new Recorder(start, engineConfig.recordInterval());
            InFlightLimit limit = limitFor(i, n);
            LaneDriver driver;
            if (lean) {
                LoopLaneDriver d = new LoopLaneDriver(http1.loop(i));
                ((io.loadgen.core.http1.Http1Pool) transports.get(i)).afterRead(d::afterIo);
                driver = d;
            } else {
                driver = new ThreadLaneDriver(threads, "loadgen-scheduler");
            }
            Transport transport = transports.get(i);
            int lanes = n;
            Dispatcher dispatcher = new Dispatcher(transport, workload.newSource(i, sequence), checkTally, recorder,
                    engineConfig, limit, driver::wake, () -> currentRate() / lanes);
            dispatcher.onFatal(t -> requestStop(Failures.describe(t)));
            limit.onResize(c -> {
                if (transportConfig.connections() == 0) {
                    transport.resize(lean ? Math.max(1, (c + transportConfig.pipelining() - 1)
                            / transportConfig.pipelining()) : c);
                }
            });
            Lane lane = new Lane(i, recorder, dispatcher, limit, transport, driver, endNanos, budget,
                    lanesEnded::countDown);
            if (plan.isClosedLoop()) {
                lane.closedLoop(share(builtConcurrency, i, n), plan.thinkTime().toNanos(), start);
            } else {
                ArrivalProcess process = plan.arrival().lane(plan.seed(), plan.share(), i, n);
                lane.openLoop(process, builtProfile, start);
            }
            built.add(lane);
            recorders.add(recorder);
        }
        synchronized (controlLock) {
            lanes = List.copyOf(built);
            if (profile != builtProfile) {
                applyProfile(profile, profileStartNanos); // a setProfile came while the lanes were being made
            }
            if (concurrency != builtConcurrency) {
                applyConcurrency(concurrency);
            }
        }
        merger = new IntervalMerger(recorders);
        if (stopRequestedAt != Long.MAX_VALUE) {
            for (Lane l : lanes) {
                l.stopAt(Math.max(start, stopRequestedAt)); // a stop came while the lanes were being made
            }
        }
        if (warmupIntervals == 0) {
            synchronized (tickLock) {
                monitor.markStart();
                measuring = true;
            }
        }
        clockThread = threads.thread(this::clock, "loadgen-interval-clock", Thread.MAX_PRIORITY - 1);
        clockThread.start();
        LOG.info("run started: {} {}, length {}{}, {} lane(s) on {}", workload,
                plan.isClosedLoop() ? "closed loop, " + plan.concurrency() + " sessions, think time "
                        + plan.thinkTime() : plan.arrival().name().toLowerCase(Locale.ROOT) + " arrivals, profile "
                        + profile.spec(),
                plan.length().map(Duration::toString).orElse("until stopped"),
                plan.count() > 0 ? ", at most " + plan.count() + " requests" : "", n,
                lean ? "the lean transport (" + (Http1Client.isNative() ? "epoll" : "NIO") + ")" : "HttpClient 5");
        for (Lane l : lanes) {
            l.driver.start(l);
        }
    }

    /** @return the lanes: one per I/O thread for the lean transport (fewer for a small cap), else one */
    private int laneCount() {
        if (!lean) {
            return 1;
        }
        int n = Math.max(1, transportConfig.ioThreads());
        if (plan.isClosedLoop()) {
            n = Math.min(n, plan.concurrency());
        } else if (engineConfig.maxInFlight() > 0) {
            n = Math.min(n, engineConfig.maxInFlight());
        } else if (transportConfig.connections() > 0) {
            n = Math.min(n, transportConfig.connections());
        }
        return Math.max(1, n);
    }

    /** @return lane {@code i}'s part of {@code total} split {@code n} ways */
    static int share(int total, int i, int n) {
        return total / n + (i < total % n ? 1 : 0);
    }

    private InFlightLimit limitFor(int i, int n) {
        if (plan.isClosedLoop()) {
            return new InFlightLimit(EngineConfig.MAX_IN_FLIGHT, 1, 1, x -> { });
        }
        int perConnection = transportConfig.httpVersion() == TransportConfig.HttpVersion.HTTP_2 ? 100
                : lean ? transportConfig.pipelining() : 1;
        int fixed;
        if (engineConfig.maxInFlight() > 0) {
            fixed = share(engineConfig.maxInFlight(), i, n);
        } else {
            fixed = (int) Math.min(EngineConfig.MAX_IN_FLIGHT,
                    (long) share(transportConfig.connections(), i, n) * perConnection);
        }
        int initial = Math.max(4, (transportConfig.connectionsFor(plan.profile().peakRate() * plan.share().fraction()) + n - 1) / n);
        int ceiling = !lean && perConnection == 1 ? InFlightLimit.httpClientCeiling(Runtime.getRuntime().maxMemory())
                : InFlightLimit.machineCeiling();
        return new InFlightLimit(fixed, initial, Math.max(initial, ceiling / n), x -> { });
    }

    /**
     * Opens each lane's first connections before the run's origin, so that its first requests do not each wait for a
     * connect (and a burst of connects does not stall the lanes): the whole first pool of a closed loop (every
     * session starts at once), at most {@link #PRECONNECT_MAX} a lane for an open loop (the pool grows on demand
     * from there). Bounded by the connect timeout; a target that refuses is not an error here: the run's requests
     * then fail and are counted.
     */
    private void preconnect(List<Transport> transports, int n) throws InterruptedException {
        List<java.util.concurrent.CompletableFuture<Integer>> connects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int want = plan.isClosedLoop() ? initialPool(n, i) : Math.min(PRECONNECT_MAX, initialPool(n, i));
            connects.add(((io.loadgen.core.http1.Http1Pool) transports.get(i)).preconnect(want));
        }
        long deadline = System.nanoTime() + transportConfig.connectTimeout().toNanos() + 1_000_000_000L;
        int open = 0;
        for (java.util.concurrent.CompletableFuture<Integer> c : connects) {
            try {
                open += c.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.debug("pre-connect did not finish: {}", e.toString());
            }
        }
        LOG.debug("{} connection(s) open before the start", open);
    }

    /** Most connections a lane of an open loop opens before the start. */
    static final int PRECONNECT_MAX = 64;

    /** @return lane {@code i}'s first pool size */
    private int initialPool(int n, int i) {
        if (plan.isClosedLoop()) {
            return Math.max(1, share(plan.concurrency(), i, n));
        }
        if (transportConfig.connections() > 0) {
            return Math.max(1, share(transportConfig.connections(), i, n));
        }
        int inFlight = engineConfig.maxInFlight() > 0 ? share(engineConfig.maxInFlight(), i, n)
                : Math.max(4, (transportConfig.connectionsFor(plan.profile().peakRate() * plan.share().fraction()) + n - 1) / n);
        int p = lean ? transportConfig.pipelining() : 1;
        return Math.max(1, (inFlight + p - 1) / p);
    }

    private void drain() throws InterruptedException {
        // a run that failed (out of memory) ends at once: what is in flight is recorded as unfinished
        long deadline = endReason != null && endReason.startsWith("failed") ? System.nanoTime()
                : System.nanoTime() + engineConfig.drainTimeout().toNanos();
        while (System.nanoTime() < deadline && outstanding() > 0) {
            for (Lane l : lanes) {
                l.driver.runOnLane(l.dispatcher::drainQueue);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        long dropped = 0;
        long unfinished = 0;
        for (Lane l : lanes) {
            long[][] left = new long[1][];
            l.driver.runOnLane(() -> left[0] = l.dispatcher.abandon(System.nanoTime()));
            dropped += left[0][0];
            unfinished += left[0][1];
        }
        if (dropped > 0 || unfinished > 0) {
            LOG.warn("drain timeout {}: {} queued requests dropped, {} in flight recorded as unfinished",
                    engineConfig.drainTimeout(), dropped, unfinished);
        }
    }

    private long outstanding() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.dispatcher.queued() + l.dispatcher.inFlight();
        }
        return n;
    }

    private void finish() {
        for (Lane l : lanes) {
            try {
                l.driver.runOnLane(() -> l.dispatcher.abandon(System.nanoTime())); // a no-op after a drain
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("abandoning {} failed", l, e);
            }
        }
        try {
            if (http1 != null) {
                for (Lane l : lanes) {
                    l.transport.close();
                }
                http1.close();
            }
            if (httpClient != null) {
                httpClient.close();
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
        if (merger == null) {
            // stopped during the self-warm: an empty run starting now
            long now = System.nanoTime();
            Recorder r = new Recorder(now, engineConfig.recordInterval());
            r.endSchedule(now);
            origin = now;
            runEnd = now;
            merger = new IntervalMerger(List.of(r));
        }
        tick(System.nanoTime());
        synchronized (tickLock) {
            finalSummary = summarize(endReason);
        }
        monitor.close();
        if (finalSummary.counts().sent() >= WARM_AFTER_REQUESTS) {
            SelfWarm.markDone(lean);
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
                boolean behind = published < current || runEnd != Long.MAX_VALUE || anyLaneEnded();
                long wake = behind ? Math.min(nextEnd, now + poll) : nextEnd;
                TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - now + 200_000));
                try {
                    tick(System.nanoTime());
                } catch (RuntimeException e) {
                    // an interval not sealed now stays pending, and the next tick (or the end of the run) seals it:
                    // the clock goes on rather than leaving the run without live intervals
                    clockFailures++;
                    if (clockFailures <= 3) {
                        LOG.error("interval clock: sealing failed ({} so far); it is retried", clockFailures, e);
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
        } catch (InterruptedException stop) {
            // the run is finishing
        }
    }

    private int clockFailures;

    private boolean anyLaneEnded() {
        for (Lane l : lanes) {
            if (l.ended()) {
                return true;
            }
        }
        return false;
    }

    private void tick(long now) {
        synchronized (tickLock) {
            IntervalMerger m = merger;
            if (m == null) {
                return;
            }
            if (!measuring && now >= origin + warmupIntervals * intervalNanos) {
                monitor.markStart();
                measuring = true;
            }
            long current = (now - origin) / intervalNanos;
            if (current > lastObservedInterval && runEnd == Long.MAX_VALUE) {
                lastObservedInterval = current;
                int pending = 0;
                for (Lane l : lanes) {
                    l.limit.observe(l.dispatcher.takePeak());
                    pending += l.transport.pendingConnections();
                }
                if (measuring) {
                    poolChecks++;
                    if (pending > 0) {
                        poolWaits++;
                    }
                }
            }
            List<Lane> ls = lanes;
            List<Recorder.Sealed> sealed = m.poll(now, i -> () -> ls.isEmpty() ? new Recorder.Gauge(0, 0, 0)
                    : new Recorder.Gauge(ls.get(i).dispatcher.inFlight(), ls.get(i).dispatcher.queued(),
                            ls.get(i).concurrency()), effectiveRunEnd());
            for (Recorder.Sealed s : sealed) {
                publish(s);
                published = s.index() + 1;
            }
            if (current >= published + 2 && current > lastWaitingNotice) {
                lastWaitingNotice = current;
                IntervalListener.Waiting w = new IntervalListener.Waiting(published, Duration.ofNanos(now - origin),
                        (int) inFlight(), (int) queued());
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

    /** @return the end of scheduling once every lane has ended (the latest lane end), else {@link Long#MAX_VALUE} */
    private long effectiveRunEnd() {
        if (runEnd != Long.MAX_VALUE) {
            return runEnd;
        }
        long end = Long.MIN_VALUE;
        for (Lane l : lanes) {
            if (!l.ended()) {
                return Long.MAX_VALUE;
            }
            end = Math.max(end, l.recorder.scheduleEnd());
        }
        return lanes.isEmpty() ? Long.MAX_VALUE : end;
    }

    private long inFlight() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.dispatcher.inFlight();
        }
        return n;
    }

    private long queued() {
        long n = 0;
        for (Lane l : lanes) {
            n += l.dispatcher.queued();
        }
        return n;
    }

    private void publish(Recorder.Sealed s) {
        boolean warm = s.index() < warmupIntervals;
        IntervalStats stats = new IntervalStats(s.index(), warm,
                startInstant.plusNanos(s.startNanos() - origin), Duration.ofNanos(Math.max(1, s.lengthNanos())),
                targetOver(s), s.counts(), s.gauge().inFlight(), s.gauge().queued(),
                LatencySummary.of(s.histograms().latency()), LatencySummary.of(s.histograms().serviceTime()),
                LatencySummary.of(s.histograms().sendLag()), s.gauge().concurrency());
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

    /** @return the rate asked for over an interval (its mean: a step or a change inside it counts by its share) */
    private double targetOver(Recorder.Sealed s) {
        if (plan.isClosedLoop()) {
            return 0;
        }
        return history.meanRate(s.startNanos(), s.startNanos() + Math.max(1, s.lengthNanos()))
                * plan.share().fraction();
    }

    private RunSummary summarize(String reason) {
        long o = origin == Long.MIN_VALUE ? createdNanos : origin;
        long from = o + warmupIntervals * intervalNanos;
        long end;
        if (merger == null) {
            end = from;
        } else if (effectiveRunEnd() != Long.MAX_VALUE) {
            end = effectiveRunEnd();
        } else {
            end = o + published * intervalNanos;
        }
        Duration win = Duration.ofNanos(Math.max(0, end - from));
        Duration warm = Duration.ofNanos(Math.min(warmupIntervals * intervalNanos, Math.max(0, end - o)));
        GeneratorLoad load = monitor.load();
        Counts c = totals.counts();
        Verdict verdict = VerdictJudge.judge(c, totals.latency(), totals.sendLag(), load, win, limits(),
                poolChecks == 0 ? 0 : (double) poolWaits / poolChecks);
        if (reason != null && reason.startsWith("failed")) {
            // the generator itself failed: whatever its figures say, they are not a whole run's
            List<String> reasons = new ArrayList<>();
            reasons.add("the run " + reason);
            reasons.addAll(verdict.reasons());
            verdict = Verdict.of(reasons);
        }
        return new RunSummary(workload.target().toString(), plan.isClosedLoop() ? "closed:" + concurrency
                + (plan.thinkTime().isZero() ? "" : ",think=" + io.loadgen.config.ChronoDurations.formatExact(
                        plan.thinkTime())) : profile.spec(),
                plan.isClosedLoop() ? "closed" : plan.arrival().name().toLowerCase(Locale.ROOT), startInstant, win,
                warm, reason == null ? "running" : reason, totals.intervals(), c, totals.completedBeforeEnd(),
                totals.latency(), totals.serviceTime(), totals.sendLag(), verdict, load, selfWarm,
                plan.isClosedLoop() ? concurrency : 0, lean ? "lean" : "httpclient", checkCounts(c));
    }

    /** @return the window's answers against the checks: an HTTP error response counts as failed */
    private CheckCounts checkCounts(Counts c) {
        if (workload.checks().isEmpty()) {
            return CheckCounts.NONE;
        }
        return CheckCounts.of(c, checkTally.failuresByCheck());
    }

    private VerdictJudge.Limits limits() {
        List<Lane> ls = lanes;
        int limit = 0;
        int ceiling = 0;
        boolean auto = !plan.isClosedLoop() && engineConfig.maxInFlight() == 0 && transportConfig.connections() == 0;
        for (Lane l : ls) {
            limit += l.limit.get();
            ceiling += l.limit.ceiling();
        }
        String inFlight = auto ? "auto in-flight limit, now " + limit + ", ceiling " + ceiling
                : "in-flight limit " + limit + (engineConfig.maxInFlight() > 0 ? " (--max-in-flight)"
                        : " (--connections)");
        String conns = transportConfig.connections() > 0 ? transportConfig.connections() + " connections"
                + " (--connections)" : "connections follow the in-flight limit";
        return new VerdictJudge.Limits(inFlight, engineConfig.overflow().name().toLowerCase(Locale.ROOT),
                engineConfig.maxQueued(), conns);
    }

    // ---------------------------------------------------------------- control, from any thread

    void setProfile(RateProfile newProfile) {
        synchronized (controlLock) {
            long now = System.nanoTime();
            profile = newProfile;
            profileStartNanos = now;
            history.put(newProfile, now);
            applyProfile(newProfile, now);
        }
    }

    /** Puts a profile in force on the published lanes; holds {@link #controlLock}. */
    private void applyProfile(RateProfile newProfile, long since) {
        List<Lane> ls = lanes;
        int n = Math.max(1, ls.size());
        for (Lane l : ls) {
            l.limit.raiseTo((transportConfig.connectionsFor(newProfile.peakRate() * plan.share().fraction()) + n - 1)
                    / n);
            l.changeProfile(newProfile, since);
        }
    }

    /**
     * @param sessions closed-loop sessions from now on
     * @throws IllegalStateException if the run is open-loop
     */
    void setConcurrency(int sessions) {
        if (!plan.isClosedLoop()) {
            throw new IllegalStateException("the run is open-loop (a rate or profile): concurrency applies to"
                    + " closed-loop runs (--concurrency N)");
        }
        synchronized (controlLock) {
            concurrency = sessions;
            applyConcurrency(sessions);
        }
    }

    /** Shares the sessions out among the published lanes; holds {@link #controlLock}. */
    private void applyConcurrency(int sessions) {
        List<Lane> ls = lanes;
        for (Lane l : ls) {
            l.setConcurrency(share(sessions, l.index, ls.size()));
        }
    }

    double currentRate() {
        if (plan.isClosedLoop()) {
            return 0;
        }
        return profile.rateAt(Duration.ofNanos(Math.max(0, System.nanoTime() - profileStartNanos)))
                * plan.share().fraction();
    }

    RateProfile profile() {
        return profile;
    }

    int concurrency() {
        return plan.isClosedLoop() ? concurrency : 0;
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
        if (state == RunState.ENDED) {
            return;
        }
        if (endReason == null) {
            endReason = reason;
        }
        long at = System.nanoTime() + STOP_MARGIN_NANOS;
        stopRequestedAt = Math.min(stopRequestedAt, at);
        for (Lane l : lanes) {
            l.stopAt(at);
        }
    }

    /**
     * Waits for the run to end.
     *
     * @return whether it ended within the timeout
     */
    /** @return the run's lanes (empty until they are made), for tests that act on a lane's thread */
    List<Lane> lanesForTest() {
        return lanes;
    }

    boolean await(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
