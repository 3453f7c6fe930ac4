package io.loadgen.rmi.fleet;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.RateProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A load agent: an idle engine that runs what a coordinator sends ({@link #startShare}) and keeps each published
 * interval until the coordinator has taken it ({@link #poll}). Every poll renews a lease; when the lease lapses (the
 * coordinator died, or the network between them did) the agent stops its load at once, so that no orphaned
 * generator keeps loading a server. Between runs it is a plain {@link LoadControl} of the last run. Thread-safe.
 */
public final class Agent implements LoadControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    /** The furthest in the future a start time may be. */
    static final Duration MAX_LEAD = Duration.ofMinutes(2);
    /** Intervals kept for a coordinator that has not polled: an hour of 1 s intervals. */
    static final int MAX_BUFFERED = 3600;

    private final String id;
    private final Function<List<String>, LoadGenerator> factory;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadgen-agent-lease");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private LoadGenerator generator;
    private final List<AgentInterval> buffered = new ArrayList<>();
    private long leaseNanos;
    private long leaseDeadline = Long.MAX_VALUE;
    private String failure;

    /**
     * @param id the agent's name
     * @param factory makes the generator of a run from its {@code loadgen run} flags; throws
     *     {@link IllegalArgumentException} (or any runtime exception, whose message is passed on) for flags it cannot
     *     run
     */
    public Agent(String id, Function<List<String>, LoadGenerator> factory) {
        this.id = Objects.requireNonNull(id);
        this.factory = Objects.requireNonNull(factory);
        watchdog.scheduleWithFixedDelay(this::checkLease, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** @return who this agent is */
    public AgentHello hello() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return new AgentHello(id, v == null ? "development build" : v, Runtime.getRuntime().availableProcessors(),
                status().state());
    }

    /** @return the wall clock now, nanoseconds since the epoch */
    public static long wallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * @param start what to run
     * @throws IllegalArgumentException for flags the factory refuses, or a start time in the past or more than
     *     {@link #MAX_LEAD} away
     * @throws IllegalStateException if a run is going on
     */
    public void startShare(AgentStart start) {
        synchronized (lock) {
            if (generator != null && generator.status().state() != RunState.ENDED) {
                throw new IllegalStateException("agent " + id + " is running a run already ("
                        + generator.status().state() + ")");
            }
            long lead = start.startWallNanos() - wallClockNanos();
            if (lead < 0 || lead > MAX_LEAD.toNanos()) {
                throw new IllegalArgumentException("agent " + id + ": the start time is " + lead / 1_000_000
                        + " ms away; it must be in the next " + MAX_LEAD.toSeconds() + " s");
            }
            LoadGenerator g;
            try {
                g = factory.apply(start.runArgs());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("agent " + id + " cannot run these flags: " + e.getMessage(), e);
            }
            if (!g.engineConfig().recordInterval().equals(start.interval())) {
                throw new IllegalArgumentException("agent " + id + " would record every "
                        + g.engineConfig().recordInterval().toMillis() + " ms, its coordinator every "
                        + start.interval().toMillis() + " ms: their intervals must be the same (recordInterval)");
            }
            g.addListener(new IntervalListener() {
                @Override
                public void onInterval(IntervalStats stats, IntervalHistograms histograms) {
                    AgentInterval a = AgentInterval.of(stats, histograms);
                    synchronized (lock) {
                        if (buffered.size() >= MAX_BUFFERED) {
                            buffered.remove(0);
                        }
                        buffered.add(a);
                    }
                }
            });
            buffered.clear();
            failure = null;
            generator = g;
            leaseNanos = start.lease().toNanos();
            lead = start.startWallNanos() - wallClockNanos(); // the factory took some of it
            long startAt = System.nanoTime() + lead;
            leaseDeadline = startAt + leaseNanos;
            g.start(start.plan(), startAt);
            LOG.info("agent {}: run from {} starts in {} ms: {}, share {}", id, start.coordinator(), lead / 1_000_000,
                    start.plan().isClosedLoop() ? start.plan().concurrency() + " sessions"
                            : start.plan().profile().spec(), start.plan().share());
        }
    }

    /**
     * @param afterIndex the newest interval the caller holds, or -1
     * @return the state and the intervals after it; renews the lease
     */
    public AgentPoll poll(long afterIndex) {
        synchronized (lock) {
            if (leaseDeadline != Long.MAX_VALUE) {
                leaseDeadline = Math.max(leaseDeadline, System.nanoTime() + leaseNanos);
            }
            // the state first: once it says ENDED, every interval of the run is in the buffer
            RunState state = generator == null ? RunState.IDLE : generator.status().state();
            buffered.removeIf(a -> a.index() <= afterIndex);
            return new AgentPoll(state, buffered, failure);
        }
    }

    private void checkLease() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
            if (g == null || System.nanoTime() < leaseDeadline || g.status().state() == RunState.ENDED) {
                return;
            }
            failure = "the coordinator's lease lapsed (no poll for " + Duration.ofNanos(leaseNanos).toMillis()
                    + " ms): load stopped";
            leaseDeadline = Long.MAX_VALUE;
        }
        LOG.warn("agent {}: {}", id, failure);
        g.stop("lease lapsed");
    }

    private LoadGenerator current() {
        synchronized (lock) {
            if (generator == null) {
                throw new IllegalStateException("agent " + id + " has run nothing yet: a coordinator starts it"
                        + " (loadgen run --agents ...)");
            }
            return generator;
        }
    }

    /** @throws IllegalStateException always: an agent runs what its coordinator sends */
    @Override
    public void start() {
        throw new IllegalStateException("agent " + id + " runs what a coordinator sends (loadgen run --agents ...)");
    }

    /** @throws IllegalStateException always: an agent runs what its coordinator sends */
    @Override
    public void start(RunPlan plan) {
        start();
    }

    @Override
    public void stop() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
            leaseDeadline = Long.MAX_VALUE;
        }
        if (g != null) {
            g.stop();
        }
    }

    @Override
    public void setRate(double perSecond) {
        current().setRate(perSecond);
    }

    @Override
    public void setProfile(RateProfile profile) {
        current().setProfile(profile);
    }

    @Override
    public void setConcurrency(int sessions) {
        current().setConcurrency(sessions);
    }

    @Override
    public double currentRate() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
        }
        return g == null ? 0 : g.currentRate();
    }

    @Override
    public Optional<IntervalStats> latestInterval() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
        }
        return g == null ? Optional.empty() : g.latestInterval();
    }

    @Override
    public WindowStats window() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
        }
        return g == null ? WindowStats.EMPTY : g.window();
    }

    @Override
    public RunSummary summary() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
        }
        return g == null ? null : g.summary();
    }

    @Override
    public RunStatus status() {
        LoadGenerator g;
        synchronized (lock) {
            g = generator;
        }
        return g == null ? new RunStatus(RunState.IDLE, "", "", "", 0, 0, Duration.ZERO, 0) : g.status();
    }

    /** Stops the run going on, if any, and the lease watchdog. */
    @Override
    public void close() {
        stop();
        watchdog.shutdownNow();
    }
}
