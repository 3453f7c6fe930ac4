package io.loadgen.core.engine;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open-loop load generator: request {@code i} is sent at its intended time {@code t_i} whatever happened to the
 * requests before it, and its latency is measured from {@code t_i}. Runs can be started and stopped repeatedly; the
 * rate can be changed while a run goes on.
 *
 * <pre>{@code
 * LoadGenerator gen = LoadGenerator.builder(Workload.builder(URI.create("http://127.0.0.1:8091/")).build())
 *         .plan(new RunPlan(new ConstantRate(500), Arrival.POISSON, 1, Duration.ofSeconds(30)))
 *         .build();
 * gen.start();
 * gen.setRate(800);                        // takes effect at once
 * gen.awaitEnd(Duration.ofMinutes(1));
 * RunSummary s = gen.summary();
 * }</pre>
 */
public final class LoadGenerator implements LoadControl {
    private final Workload workload;
    private final TransportConfig transportConfig;
    private final EngineConfig engineConfig;
    private final List<IntervalListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private RunPlan plan;
    private Run run;
    private long runs;

    private LoadGenerator(Builder b) {
        this.workload = b.workload;
        this.transportConfig = b.transportConfig;
        this.engineConfig = b.engineConfig;
        this.plan = b.plan;
        this.listeners.addAll(b.listeners);
    }

    /**
     * @param workload what each request is
     * @return a builder; defaults: constant 10 requests/s until stopped, {@link TransportConfig#DEFAULT},
     *     {@link EngineConfig#DEFAULT}
     */
    public static Builder builder(Workload workload) {
        return new Builder(workload);
    }

    /** @return the workload */
    public Workload workload() {
        return workload;
    }

    /** @return the engine settings */
    public EngineConfig engineConfig() {
        return engineConfig;
    }

    /** @return the transport settings */
    public TransportConfig transportConfig() {
        return transportConfig;
    }

    /** Adds a listener that hears every interval of every later run. */
    public void addListener(IntervalListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Removes a listener. */
    public void removeListener(IntervalListener listener) {
        listeners.remove(listener);
    }

    @Override
    public void start() {
        synchronized (lock) {
            start(plan);
        }
    }

    @Override
    public void start(RunPlan newPlan) {
        start(newPlan, Long.MIN_VALUE);
    }

    /**
     * Starts a run whose clock starts at a given moment, as agents under one coordinator do so that their intervals
     * line up: the run gets ready (self-warm, connections) and waits for that moment, and its first interval starts
     * then. Ready later than one interval after it, the run fails, saying so; ready a little late, its first
     * arrivals are late (the send lag shows it).
     *
     * @param newPlan the plan
     * @param startAtNanos the {@link System#nanoTime()} of the run's start, or {@link Long#MIN_VALUE} for as soon as
     *     it is ready
     * @throws IllegalStateException if a run is going on
     */
    public void start(RunPlan newPlan, long startAtNanos) {
        Objects.requireNonNull(newPlan, "plan");
        synchronized (lock) {
            if (run != null && run.state() != RunState.ENDED) {
                throw new IllegalStateException("a run is going on (" + run.state() + "); stop it first");
            }
            plan = newPlan;
            run = new Run(workload, transportConfig, engineConfig, newPlan, List.copyOf(listeners), startAtNanos);
            runs++;
        }
    }

    @Override
    public void stop() {
        stop("stopped");
    }

    /**
     * Ends the run going on, if any, and waits until it has drained.
     *
     * @param reason what the summary's state will say, e.g. {@code stopped} or {@code interrupted}
     */
    public void stop(String reason) {
        Run r;
        synchronized (lock) {
            r = run;
        }
        if (r == null) {
            return;
        }
        r.requestStop(reason);
        try {
            r.await(engineConfig.drainTimeout().plusSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the run going on to end by itself or be stopped.
     *
     * @param timeout the longest wait
     * @return whether no run is going on when this returns
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        Run r;
        synchronized (lock) {
            r = run;
        }
        return r == null || r.await(timeout);
    }

    @Override
    public void setRate(double perSecond) {
        setProfile(new ConstantRate(RateProfile.checkRate("rate", perSecond)));
    }

    @Override
    public void setProfile(RateProfile profile) {
        Objects.requireNonNull(profile, "profile");
        synchronized (lock) {
            if (plan.isClosedLoop()) {
                throw new IllegalStateException("the run is closed-loop (--concurrency): set its concurrency, not a"
                        + " rate or profile");
            }
            if (run != null && run.state() == RunState.RUNNING) {
                run.setProfile(profile);
            }
            plan = plan.withProfile(profile);
        }
    }

    @Override
    public void setConcurrency(int sessions) {
        if (sessions < 1 || sessions > RunPlan.MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be a number of sessions in [1, "
                    + RunPlan.MAX_CONCURRENCY + "], got " + sessions);
        }
        synchronized (lock) {
            if (run != null && run.state() == RunState.RUNNING) {
                run.setConcurrency(sessions);
            } else if (!plan.isClosedLoop()) {
                throw new IllegalStateException("the next run is open-loop (a rate or profile): concurrency applies"
                        + " to closed-loop runs (--concurrency N)");
            }
            if (plan.isClosedLoop()) {
                plan = plan.withConcurrency(sessions);
            }
        }
    }

    @Override
    public double currentRate() {
        Run r = currentRun();
        if (r != null && r.state() != RunState.ENDED) {
            return r.currentRate();
        }
        synchronized (lock) {
            return plan.profile().rateAt(Duration.ZERO);
        }
    }

    @Override
    public Optional<IntervalStats> latestInterval() {
        return Optional.ofNullable(window().latest());
    }

    @Override
    public WindowStats window() {
        Run r = currentRun();
        return r == null ? WindowStats.EMPTY : r.window();
    }

    @Override
    public RunSummary summary() {
        Run r = currentRun();
        return r == null ? null : r.summary();
    }

    @Override
    public RunStatus status() {
        synchronized (lock) {
            RunState state = run == null ? RunState.IDLE : run.state();
            RateProfile p = run != null && state != RunState.ENDED ? run.profile() : plan.profile();
            int sessions = run != null && state != RunState.ENDED ? run.concurrency() : plan.concurrency();
            return new RunStatus(state, workload.target().toString(), sessions > 0 ? "closed:" + sessions : p.spec(),
                    sessions > 0 ? "closed" : plan.arrival().name().toLowerCase(Locale.ROOT), currentRate(), runs,
                    run == null ? Duration.ZERO : run.uptime(), sessions);
        }
    }

    private Run currentRun() {
        synchronized (lock) {
            return run;
        }
    }

    /** Builds a {@link LoadGenerator}. */
    public static final class Builder {
        private final Workload workload;
        private TransportConfig transportConfig = TransportConfig.DEFAULT;
        private EngineConfig engineConfig = EngineConfig.DEFAULT;
        private RunPlan plan = new RunPlan(new ConstantRate(10),
                io.loadgen.core.schedule.ArrivalProcess.Arrival.CONSTANT, 1, null);
        private final List<IntervalListener> listeners = new CopyOnWriteArrayList<>();

        private Builder(Workload workload) {
            this.workload = Objects.requireNonNull(workload, "workload");
        }

        /** @param c transport settings; default {@link TransportConfig#DEFAULT} */
        public Builder transport(TransportConfig c) {
            this.transportConfig = Objects.requireNonNull(c);
            return this;
        }

        /** @param c engine settings; default {@link EngineConfig#DEFAULT} */
        public Builder engine(EngineConfig c) {
            this.engineConfig = Objects.requireNonNull(c);
            return this;
        }

        /** @param p the plan {@link #start()} uses; default constant 10/s until stopped */
        public Builder plan(RunPlan p) {
            this.plan = Objects.requireNonNull(p);
            return this;
        }

        /** @param l a listener for every interval */
        public Builder listener(IntervalListener l) {
            this.listeners.add(Objects.requireNonNull(l));
            return this;
        }

        public LoadGenerator build() {
            return new LoadGenerator(this);
        }
    }
}
