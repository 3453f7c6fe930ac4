package io.loadgen.rmi.fleet;

import io.loadgen.core.control.LoadControl;
import io.loadgen.core.control.RunState;
import io.loadgen.core.control.RunStatus;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.CheckCounts;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.RunTotals;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.WindowStats;
import io.loadgen.core.schedule.ArrivalShare;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfile;
import io.loadgen.rmi.RemoteControlException;
import io.loadgen.rmi.RemoteLogin;
import io.loadgen.rmi.RemoteLoadControl;
import java.rmi.NotBoundException;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one load over many agents ({@link Agent}, served by {@code loadgen agent}) and is itself the
 * {@link LoadControl} of the whole: {@code ctl} and the dashboard drive and watch a fleet as they do one engine.
 *
 * <p>What it does:
 * <ul>
 *   <li>at {@link #connect}: each agent's clock offset, from the round trip of least delay of
 *       {@value #CLOCK_SAMPLES} (NTP's estimate); an agent whose round trip leaves the offset more uncertain than
 *       {@link CoordinatorConfig#maxClockUncertainty} is refused, by name;
 *   <li>at {@link #start(RunPlan)}: splits the load by the agents' weights (open loop: {@link ArrivalShare}s of one
 *       schedule, so every agent runs the whole profile and takes its slices; closed loop: the sessions) and starts
 *       every agent at one instant {@link CoordinatorConfig#lead} ahead, on its own clock corrected by its offset, so that
 *       interval {@code k} of every agent covers the same span;
 *   <li>while it runs: polls each agent every quarter interval (renewing its lease), merges interval {@code k} once
 *       every agent that can still deliver it has (counts add, histograms add exactly, gauges add), and publishes
 *       the merge to its listeners, its window and its summary as an engine does;
 *   <li>an agent that does not answer for two intervals is lost: its share is not given to the others (a
 *       generator that slowed the rest is not hidden by a silent re-spread); with {@link OnAgentLoss#ABORT} the run ends,
 *       with {@link OnAgentLoss#CONTINUE} it goes on with the others. Either way the summary keeps all it received and
 *       says which agent was lost when.
 * </ul>
 * Thread-safe; polls and merges on its own thread ({@code loadgen-coordinator}), whose listeners must return
 * quickly.
 */
public final class Coordinator implements LoadControl, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    /** Round trips measured per agent for its clock offset. */
    public static final int CLOCK_SAMPLES = 8;

    /**
     * One agent as the coordinator saw it, for the summary's {@code agents}. Immutable.
     *
     * @param id the agent's name
     * @param address where it is
     * @param state {@code running}, {@code ended} or {@code lost}
     * @param share its share of the load ({@code slice 0 of 3}, or its sessions)
     * @param clockOffset its clock minus the coordinator's
     * @param clockUncertainty half the best round trip of the offset's estimate
     * @param lostAtInterval the first interval it did not deliver, when lost
     * @param reason why it was lost, or why its run ended early
     * @param summary its own summary (from the agent at the end), or one made from the intervals it delivered
     */
    public record AgentReport(String id, String address, String state, String share, Duration clockOffset,
            Duration clockUncertainty, Optional<Long> lostAtInterval, Optional<String> reason, RunSummary summary) {
    }

    /** Receives each agent's own intervals, as the coordinator merges them. */
    @FunctionalInterface
    public interface AgentIntervalListener {
        /**
         * @param agent the agent's name
         * @param stats its interval
         * @param histograms its histograms
         */
        void onAgentInterval(String agent, IntervalStats stats, IntervalHistograms histograms);
    }

    private final CoordinatorConfig config;
    private final List<AgentLink> links;
    private final String name;
    private final Object lock = new Object();
    private final List<IntervalListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<AgentIntervalListener> agentListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ExecutorService calls;
    private FleetMerge merged;
    private RunPlan plan;
    private RateProfile profile;
    private long profileStartNanos;
    private int concurrency;
    private RunState state = RunState.IDLE;
    private long origin;
    private Instant startInstant = Instant.now();
    private String endReason;
    private long runs;
    private RunSummary finalSummary;
    private CountDownLatch ended = new CountDownLatch(0);
    private Thread poller;
    private boolean lostAny;
    private boolean starting;
    private boolean stopWhileStarting;
    private boolean stopping;
    private boolean failedAny;

    private Coordinator(CoordinatorConfig config, List<AgentLink> links) {
        this.config = config;
        this.links = List.copyOf(links);
        this.name = "coordinator@" + hostName();
        this.merged = new FleetMerge(Instant.now(), config.interval(), config.windowSize(), listeners);
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loadgen-coordinator-call");
            t.setDaemon(true);
            return t;
        });
        this.plan = new RunPlan(new ConstantRate(0), io.loadgen.core.schedule.ArrivalProcess.Arrival.POISSON, 1,
                null);
        this.profile = plan.profile();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /**
     * Reaches every agent, says hello and measures its clock offset.
     *
     * @param config the agents and the run's timing
     * @return the coordinator, idle
     * @throws RemoteControlException when an agent cannot be reached, naming it
     * @throws IllegalStateException when an agent is busy, or its offset is too uncertain to correct, naming it
     */
    public static Coordinator connect(CoordinatorConfig config) {
        PollFilter.install();
        List<AgentLink> links = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < config.agents().size(); i++) {
            AgentEndpoint e = config.agents().get(i);
            RemoteAgent remote = lookup(e, config);
            try {
                AgentHello hello = remote.hello();
                if (hello.state() == RunState.RUNNING || hello.state() == RunState.STOPPING) {
                    throw new IllegalStateException("agent " + hello.id() + " at " + e + " is running a run already");
                }
                long bestRtt = Long.MAX_VALUE;
                long offset = 0;
                for (int s = 0; s < CLOCK_SAMPLES; s++) {
                    long t0 = Agent.wallClockNanos();
                    long n0 = System.nanoTime();
                    long theirs = remote.wallClockNanos();
                    long rtt = System.nanoTime() - n0;
                    if (rtt < bestRtt) {
                        bestRtt = rtt;
                        offset = theirs - (t0 + rtt / 2);
                    }
                }
                if (bestRtt / 2 > config.maxClockUncertainty().toNanos()) {
                    throw new IllegalStateException("agent " + hello.id() + " at " + e + ": its clock offset is"
                            + " uncertain by " + bestRtt / 2_000_000 + " ms (half the best of " + CLOCK_SAMPLES
                            + " round trips), more than " + config.maxClockUncertainty().toMillis() + " ms: its"
                            + " intervals would not line up with the others'");
                }
                String id = ids.add(hello.id()) ? hello.id() : hello.id() + "-" + i;
                ids.add(id);
                links.add(new AgentLink(e, remote, id, offset, bestRtt / 2, config.weights().get(i)));
                LOG.info("agent {} at {}: {} processors, clock offset {} ms (+- {} ms)", id, e, hello.processors(),
                        String.format(Locale.ROOT, "%.3f", offset / 1e6),
                        String.format(Locale.ROOT, "%.3f", bestRtt / 2e6));
            } catch (RemoteException ex) {
                throw new RemoteControlException("agent at " + e + " failed: " + ex, ex);
            }
        }
        return new Coordinator(config, links);
    }

    private static RemoteAgent lookup(AgentEndpoint e, CoordinatorConfig config) {
        try {
            RemoteLogin login = (RemoteLogin) (config.tls()
                    ? LocateRegistry.getRegistry(e.host(), e.port(), new javax.rmi.ssl.SslRMIClientSocketFactory())
                    : LocateRegistry.getRegistry(e.host(), e.port())).lookup(RemoteLoadControl.NAME);
            RemoteLoadControl control = login.open(config.token().orElse(null));
            if (!(control instanceof RemoteAgent agent)) {
                throw new IllegalStateException(e + " is a loadgen engine, not an agent (start it with loadgen"
                        + " agent)");
            }
            return agent;
        } catch (RemoteException | NotBoundException ex) {
            throw new RemoteControlException("no loadgen agent at " + e + ": " + ex, ex);
        }
    }

    /** @param l hears each merged interval */
    public void addListener(IntervalListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    /** @param l hears each agent's own intervals */
    public void addAgentListener(AgentIntervalListener l) {
        agentListeners.add(Objects.requireNonNull(l));
    }

    /** @return the agents' names, in the order given */
    public List<String> agentIds() {
        return links.stream().map(l -> l.id).toList();
    }

    @Override
    public void start() {
        RunPlan p;
        synchronized (lock) {
            p = plan;
        }
        start(p);
    }

    /**
     * Starts every agent at one instant {@link CoordinatorConfig#lead} ahead, each with its share.
     *
     * @throws IllegalStateException if a run is going on, or an agent refuses (the started ones are stopped again)
     * @throws IllegalArgumentException for a closed loop of fewer sessions than agents
     */
    @Override
    public void start(RunPlan newPlan) {
        Objects.requireNonNull(newPlan, "plan");
        synchronized (lock) {
            if (state == RunState.RUNNING || state == RunState.STOPPING || starting) {
                throw new IllegalStateException("a run is going on (" + (starting ? "starting" : state) + "); stop"
                        + " it first");
            }
            if (newPlan.isClosedLoop() && newPlan.concurrency() < links.size()) {
                throw new IllegalArgumentException("a closed loop over " + links.size() + " agents needs at least as"
                        + " many sessions, got " + newPlan.concurrency());
            }
            if (newPlan.count() > 0 && newPlan.count() < links.size()) {
                throw new IllegalArgumentException("a count over " + links.size() + " agents must be at least one"
                        + " request each, got " + newPlan.count());
            }
            starting = true;
        }
        try {
            List<ArrivalShare> shares = ArrivalShare.split(config.weights());
            long[] sessions = split(newPlan.concurrency());
            long[] counts = split(newPlan.count());
            long t0Wall = Agent.wallClockNanos() + config.lead().toNanos();
            long t0Nanos = System.nanoTime() + (t0Wall - Agent.wallClockNanos());
            List<Future<?>> starts = new ArrayList<>();
            for (int i = 0; i < links.size(); i++) {
                AgentLink l = links.get(i);
                RunPlan p = newPlan.isClosedLoop() ? newPlan.withConcurrency((int) sessions[i])
                        : newPlan.withShare(shares.get(i));
                RunPlan share = p.withCount(counts[i]);
                l.share = newPlan.isClosedLoop() ? sessions[i] + " sessions" : shares.get(i).toString();
                AgentStart start = new AgentStart(name, config.runArgs(), share, t0Wall + l.offsetNanos,
                        config.lease(), config.interval());
                starts.add(calls.submit(() -> {
                    l.remote.startShare(start);
                    return null;
                }));
            }
            String refused = null;
            List<AgentLink> accepted = new ArrayList<>();
            for (int i = 0; i < links.size(); i++) {
                AgentLink l = links.get(i);
                try {
                    starts.get(i).get(config.lead().toNanos() + CALL_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
                    accepted.add(l);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause() instanceof RemoteException r && r.getCause() != null ? r.getCause()
                            : e.getCause();
                    refused = refused != null ? refused : "agent " + l.id + " at " + l.endpoint + " refused the start: "
                            + c.getMessage();
                } catch (java.util.concurrent.TimeoutException e) {
                    refused = refused != null ? refused : "agent " + l.id + " at " + l.endpoint + " did not answer the"
                            + " start";
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    refused = "interrupted while starting the agents";
                }
            }
            boolean stopAsked;
            synchronized (lock) {
                stopAsked = stopWhileStarting;
            }
            if (refused != null || stopAsked) {
                // only the agents that took this start: another may be busy with another coordinator's run
                callAll(accepted, AgentLink::stopRemote);
                throw new IllegalStateException(refused != null ? refused : "stopped while the agents were starting");
            }
            synchronized (lock) {
                for (AgentLink l : links) {
                    if (l.inFlight != null) {
                        l.inFlight.cancel(true); // a poll of the last run: its answer is not this run's
                        l.inFlight = null;
                    }
                    l.stopCall = null;
                    l.pending.clear();
                    l.lastIndex = -1;
                    l.lastAnswer = System.nanoTime();
                    l.state = RunState.RUNNING;
                    l.lost = false;
                    l.lostAt = null;
                    l.reason = null;
                    l.summary = null;
                    l.failed = false;
                    l.totals = new RunTotals();
                }
                plan = newPlan;
                profile = newPlan.profile();
                profileStartNanos = t0Nanos;
                concurrency = newPlan.concurrency();
                origin = t0Nanos;
                startInstant = Instant.ofEpochSecond(0, t0Wall);
                merged = new FleetMerge(startInstant, config.interval(), config.windowSize(), listeners);
                endReason = null;
                finalSummary = null;
                lostAny = false;
                failedAny = false;
                stopping = false;
                state = RunState.RUNNING;
                runs++;
                ended = new CountDownLatch(1);
                poller = new Thread(this::pollLoop, "loadgen-coordinator");
                poller.setDaemon(true);
                poller.start();
            }
            LOG.info("run over {} agents starts at {}: {}", links.size(), startInstant, newPlan.isClosedLoop()
                    ? newPlan.concurrency() + " sessions" : newPlan.profile().spec() + ", " + newPlan.arrival());
        } finally {
            synchronized (lock) {
                starting = false;
                stopWhileStarting = false;
            }
        }
    }

    /** The longest wait for an agent's answer to a control call (a rate change, a stop is longer: its drain). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Makes a call to each of {@code targets} at once, outside the coordinator's lock, and waits for each at most
     * {@link #CALL_TIMEOUT} (a frozen agent cannot hold the coordinator up); failures are logged, and the poller
     * marks a silent agent lost.
     */
    private void callAll(List<AgentLink> targets, AgentCall c) {
        callAll(targets, c, CALL_TIMEOUT);
    }

    private void callAll(List<AgentLink> targets, AgentCall c, Duration timeout) {
        List<Future<?>> fs = new ArrayList<>();
        for (AgentLink l : targets) {
            fs.add(calls.submit(() -> {
                c.call(l);
                return null;
            }));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < fs.size(); i++) {
            try {
                fs.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("agent {}: the call did not complete: {}", targets.get(i).id, e.getCause() != null
                        ? e.getCause().toString() : e.toString());
            }
        }
    }

    /** @return the live agents now */
    private List<AgentLink> live() {
        synchronized (lock) {
            return links.stream().filter(l -> !l.lost && l.state != RunState.ENDED).toList();
        }
    }

    /** @return {@code total} (sessions, or a count of requests) split by the weights, at least 1 each unless 0 */
    private long[] split(long total) {
        long[] out = new long[links.size()];
        if (total == 0) {
            return out;
        }
        long sum = 0;
        for (AgentLink l : links) {
            sum += l.weight;
        }
        long given = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(1, total * links.get(i).weight / sum);
            given += out[i];
        }
        for (int i = 0; given < total; i = (i + 1) % out.length) {
            out[i]++;
            given++;
        }
        for (int i = out.length - 1; given > total; i = (i + out.length - 1) % out.length) {
            if (out[i] > 1) {
                out[i]--;
                given--;
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the poller thread

    private void pollLoop() {
        long every = Math.max(20_000_000L, Math.min(250_000_000L, config.interval().toNanos() / 4));
        try {
            while (true) {
                pollAll();
                boolean done;
                synchronized (lock) {
                    if (stopping) {
                        retryStops();
                    }
                    merged.mergeReady(links);
                    done = links.stream().allMatch(l -> l.lost || l.state == RunState.ENDED && l.pending.isEmpty());
                }
                if (done) {
                    break;
                }
                Thread.sleep(every / 1_000_000L);
            }
            finish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish();
        } catch (Throwable e) {
            LOG.error("the coordinator failed", e);
            synchronized (lock) {
                if (endReason == null) {
                    endReason = "failed: " + e;
                }
            }
            try {
                stopAgents();
            } finally {
                finish();
            }
        }
    }

    /** Polls every live agent at once, each bounded by one interval; marks an agent lost after two silent ones. */
    private void pollAll() throws InterruptedException {
        long now = System.nanoTime();
        List<AgentLink> asked = new ArrayList<>();
        synchronized (lock) {
            for (AgentLink l : links) {
                if (l.lost || l.state == RunState.ENDED) {
                    continue;
                }
                if (l.inFlight == null) {
                    long after = l.lastIndex;
                    l.inFlight = calls.submit(() -> PollFilter.call(() -> l.remote.poll(after)));
                }
                asked.add(l);
            }
        }
        long deadline = now + config.interval().toNanos() / 2;
        for (AgentLink l : asked) {
            Future<AgentPoll> f = l.inFlight;
            AgentPoll answer = null;
            String failure = null;
            try {
                answer = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                failure = "no answer";
            } catch (java.util.concurrent.ExecutionException e) {
                failure = String.valueOf(e.getCause());
            }
            synchronized (lock) {
                if (answer != null || failure != null && !failure.equals("no answer")) {
                    l.inFlight = null; // done: the next round asks again
                }
                if (answer != null) {
                    take(l, answer);
                } else if (System.nanoTime() - l.lastAnswer > 2 * config.interval().toNanos()) {
                    lose(l, failure);
                }
            }
        }
    }

    private void take(AgentLink l, AgentPoll answer) {
        l.lastAnswer = System.nanoTime();
        for (AgentInterval a : answer.intervals()) {
            if (a.index() > l.lastIndex) {
                IntervalHistograms h = a.histograms();
                l.pending.put(a.index(), new AgentLink.Received(a, h));
                l.lastIndex = a.index();
                IntervalStats s = FleetMerge.stats(startInstant, config.interval(), a.index(), a.warmup(),
                        a.lengthNanos(), a.targetRate(), a.counts(), a.inFlight(), a.queued(), a.concurrency(), h);
                if (!a.warmup()) {
                    l.totals.add(a.counts(), h, 0);
                }
                for (AgentIntervalListener al : agentListeners) {
                    try {
                        al.onAgentInterval(l.id, s, h);
                    } catch (RuntimeException e) {
                        LOG.warn("agent interval listener {} failed", al, e);
                    }
                }
            }
        }
        l.state = answer.state();
        answer.failure().ifPresent(f -> l.reason = f);
        if (answer.state() == RunState.ENDED && answer.failure().isPresent() && !l.failed) {
            l.failed = true;
            failedAny = true;
            LOG.warn("agent {} at {}: {}", l.id, l.endpoint, answer.failure().get());
            if (config.onLoss() == OnAgentLoss.ABORT && endReason == null) {
                endReason = "agent " + l.id + " failed";
                calls.submit(this::stopAgents);
            }
        }
    }

    private void lose(AgentLink l, String why) {
        if (l.lost) {
            return;
        }
        l.lost = true;
        l.lostAt = l.lastIndex + 1;
        l.reason = "lost: " + (why == null ? "no answer" : why) + " for "
                + Duration.ofNanos(System.nanoTime() - l.lastAnswer).toMillis() + " ms (last interval received: "
                + l.lastIndex + ")";
        lostAny = true;
        LOG.warn("agent {} at {} {}; its share ({}) is not sent by anyone else{}", l.id, l.endpoint, l.reason, l.share,
                config.onLoss() == OnAgentLoss.ABORT ? ": ending the run (--on-agent-loss abort)" : "");
        if (config.onLoss() == OnAgentLoss.ABORT && endReason == null) {
            endReason = "agent " + l.id + " lost";
            calls.submit(this::stopAgents);
        }
        calls.submit(() -> {
            l.stopRemote(); // best effort: an agent that was only slow sends no more uncounted load
            return null;
        });
    }

    /**
     * Stops every live agent at once and waits for their drains, at most {@link #STOP_TIMEOUT}; the poller sends the
     * stop again to an agent whose stop failed while it still answers.
     */
    private void stopAgents() {
        synchronized (lock) {
            stopping = true;
        }
        callAll(live(), AgentLink::stopRemote, STOP_TIMEOUT);
    }

    /** Sends the stop again to each live agent whose last stop failed. Holds the lock. */
    private void retryStops() {
        for (AgentLink l : links) {
            if (l.lost || l.state == RunState.ENDED) {
                continue;
            }
            if (l.stopCall == null || l.stopCall.isDone() && failed(l.stopCall)) {
                l.stopCall = calls.submit(() -> {
                    l.stopRemote();
                    return null;
                });
            }
        }
    }

    private static boolean failed(Future<?> f) {
        try {
            f.get(0, TimeUnit.NANOSECONDS);
            return false;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** The longest wait for the agents' stop: their drain, bounded by their drain timeout. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private void finish() {
        CountDownLatch done;
        RunSummary last;
        List<AgentLink> live;
        synchronized (lock) {
            live = links.stream().filter(l -> !l.lost).toList();
        }
        Map<AgentLink, RunSummary> got = new LinkedHashMap<>();
        for (AgentLink l : live) {
            try {
                got.put(l, calls.submit(() -> l.remote.summary()).get(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("agent {}: its summary could not be fetched: {}", l.id, e.toString());
            }
        }
        synchronized (lock) {
            for (AgentLink l : links) {
                l.summary = got.getOrDefault(l, null);
            }
            if (endReason == null) {
                endReason = links.stream().map(l -> l.summary == null ? null : l.summary.state())
                        .filter(Objects::nonNull).filter(s -> !s.equals("completed")).findFirst().orElse("completed");
            }
            state = RunState.ENDED;
            finalSummary = summarize();
            done = ended;
            last = finalSummary;
        }
        done.countDown();
        LOG.info("run over {} agents ended ({}): {} scheduled, {} completed", links.size(), last.state(),
                last.counts().scheduled(), last.counts().completed());
    }

    // ---------------------------------------------------------------- summaries

    /** @return the merged summary so far. Holds the lock. */
    private RunSummary summarize() {
        RunTotals totals = merged.totals();
        Counts c = totals.counts();
        List<String> reasons = new ArrayList<>();
        GeneratorLoad load = GeneratorLoad.NONE;
        String selfWarm = "";
        String transport = "";
        long beforeEnd = 0;
        Map<String, Long> byCheck = new LinkedHashMap<>();
        boolean checks = false;
        for (AgentLink l : links) {
            if (l.lost) {
                reasons.add("agent " + l.id + " " + l.reason + ": its share (" + l.share + ") was not sent by the"
                        + " others from interval " + l.lostAt);
            } else if (l.failed) {
                reasons.add("agent " + l.id + ": " + l.reason + " (its share was not sent by the others from then)");
            }
            RunSummary s = l.summary;
            if (s == null) {
                continue;
            }
            if (!s.verdict().valid()) {
                s.verdict().reasons().forEach(r -> reasons.add("agent " + l.id + ": " + r));
            }
            if (s.generator().generatorCpu() >= load.generatorCpu()) {
                load = s.generator();
            }
            selfWarm = selfWarm.isEmpty() ? s.selfWarm() : selfWarm;
            transport = s.transport();
            beforeEnd += s.completedBeforeEnd();
            if (s.checks().enabled()) {
                checks = true;
                s.checks().failedByCheck().forEach((k, v) -> byCheck.merge(k, v, Long::sum));
            }
        }
        String spec = plan.isClosedLoop() ? "closed:" + concurrency : profile.spec();
        return new RunSummary(config.target(), spec, plan.isClosedLoop() ? "closed"
                : plan.arrival().name().toLowerCase(Locale.ROOT), startInstant, merged.measured(),
                config.interval().multipliedBy(merged.warmIntervals()), endReason == null ? "running" : endReason,
                totals.intervals(), c, beforeEnd, totals.latency(), totals.serviceTime(), totals.sendLag(),
                reasons.isEmpty() ? Verdict.VALID : Verdict.of(reasons), load, selfWarm,
                plan.isClosedLoop() ? concurrency : 0, transport, checks ? CheckCounts.of(c, byCheck)
                        : CheckCounts.NONE);
    }

    /** @return each agent's report; their summaries are final once the run has ended */
    public List<AgentReport> agents() {
        synchronized (lock) {
            List<AgentReport> out = new ArrayList<>();
            for (AgentLink l : links) {
                RunSummary s = l.summary != null ? l.summary : ownSummary(l);
                String st = l.lost ? "lost" : l.state == RunState.ENDED ? "ended" : l.state.name().toLowerCase(
                        Locale.ROOT);
                out.add(new AgentReport(l.id, l.endpoint.toString(), st, l.share, Duration.ofNanos(l.offsetNanos),
                        Duration.ofNanos(l.uncertaintyNanos), Optional.ofNullable(l.lostAt),
                        Optional.ofNullable(l.reason), s));
            }
            return out;
        }
    }

    /** @return a summary of what an agent delivered, for one whose own could not be fetched */
    private RunSummary ownSummary(AgentLink l) {
        RunTotals t = l.totals;
        return new RunSummary(config.target(), plan.isClosedLoop() ? "closed" : profile.spec(),
                plan.arrival().name().toLowerCase(Locale.ROOT), startInstant, config.interval().multipliedBy(
                        t.intervals()), Duration.ZERO, l.lost ? "lost" : "running", t.intervals(), t.counts(), 0,
                t.latency(), t.serviceTime(), t.sendLag(), l.lost ? Verdict.of(List.of("agent " + l.reason))
                        : Verdict.VALID, GeneratorLoad.NONE, "", 0, "", CheckCounts.NONE);
    }

    /** @return whether an agent was lost in the last run */
    public boolean lostAnAgent() {
        synchronized (lock) {
            return lostAny;
        }
    }

    /** @return whether an agent's run failed or ended early in the last run (a late start, a lapsed lease) */
    public boolean anAgentFailed() {
        synchronized (lock) {
            return failedAny;
        }
    }

    /**
     * @param timeout the longest wait
     * @return whether no run is going on when this returns
     * @throws InterruptedException if interrupted
     */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        CountDownLatch l;
        synchronized (lock) {
            l = ended;
        }
        return l.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------- LoadControl

    /** Stops every agent and waits until their runs have drained and the last intervals are merged. */
    @Override
    public void stop() {
        synchronized (lock) {
            if (starting) {
                stopWhileStarting = true; // the start stops the agents that took it, and fails
                return;
            }
            if (state != RunState.RUNNING) {
                return;
            }
            state = RunState.STOPPING;
            if (endReason == null) {
                endReason = "stopped";
            }
        }
        stopAgents();
        try {
            awaitEnd(Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void setRate(double perSecond) {
        setProfile(new ConstantRate(RateProfile.checkRate("rate", perSecond)));
    }

    /** Puts the profile in force on every live agent (each keeps its share of it). */
    @Override
    public void setProfile(RateProfile p) {
        Objects.requireNonNull(p, "profile");
        boolean running;
        synchronized (lock) {
            if (plan.isClosedLoop()) {
                throw new IllegalStateException("the run is closed-loop (--concurrency): set its concurrency, not a"
                        + " rate or profile");
            }
            profile = p;
            profileStartNanos = System.nanoTime();
            plan = plan.withProfile(p);
            running = state == RunState.RUNNING;
        }
        if (running) {
            callAll(live(), l -> l.remote.setProfile(p));
        }
    }

    /** Splits the sessions among the agents by weight (a lost agent's part is not given to the others). */
    @Override
    public void setConcurrency(int sessions) {
        long[] split;
        boolean running;
        synchronized (lock) {
            if (!plan.isClosedLoop()) {
                throw new IllegalStateException("the run is open-loop (a rate or profile): concurrency applies to"
                        + " closed-loop runs (--concurrency N)");
            }
            if (sessions < links.size() || sessions > RunPlan.MAX_CONCURRENCY) {
                throw new IllegalArgumentException("concurrency over " + links.size() + " agents must be in ["
                        + links.size() + ", " + RunPlan.MAX_CONCURRENCY + "], got " + sessions);
            }
            split = split(sessions);
            concurrency = sessions;
            plan = plan.withConcurrency(sessions);
            running = state == RunState.RUNNING;
            for (int i = 0; i < links.size(); i++) {
                links.get(i).share = split[i] + " sessions";
            }
        }
        if (running) {
            List<AgentLink> targets = live();
            callAll(targets, l -> l.remote.setConcurrency((int) split[links.indexOf(l)]));
        }
    }

    /** A call to an agent. */
    @FunctionalInterface
    private interface AgentCall {
        void call(AgentLink l) throws RemoteException;
    }

    /** @return the whole fleet's rate asked for now, requests per second */
    @Override
    public double currentRate() {
        synchronized (lock) {
            if (plan.isClosedLoop()) {
                return 0;
            }
            return profile.rateAt(Duration.ofNanos(Math.max(0, System.nanoTime() - profileStartNanos)));
        }
    }

    @Override
    public Optional<IntervalStats> latestInterval() {
        return Optional.ofNullable(window().latest());
    }

    @Override
    public WindowStats window() {
        synchronized (lock) {
            return merged.window();
        }
    }

    @Override
    public RunSummary summary() {
        synchronized (lock) {
            if (runs == 0) {
                return null;
            }
            return finalSummary != null ? finalSummary : summarize();
        }
    }

    @Override
    public RunStatus status() {
        synchronized (lock) {
            String spec = plan.isClosedLoop() ? "closed:" + concurrency : profile.spec();
            return new RunStatus(state, config.target() + " (" + links.size() + " agents)", spec,
                    plan.isClosedLoop() ? "closed" : plan.arrival().name().toLowerCase(Locale.ROOT), currentRate(),
                    runs, runs == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - origin)),
                    plan.isClosedLoop() ? concurrency : 0);
        }
    }

    /** Stops the run going on, if any, and the coordinator's threads. */
    @Override
    public void close() {
        stop();
        calls.shutdownNow();
    }
}
