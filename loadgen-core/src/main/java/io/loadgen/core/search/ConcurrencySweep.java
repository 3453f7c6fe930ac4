package io.loadgen.core.search;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.Verdict;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A closed-loop sweep, as perf_analyzer's {@code --concurrency-range}: for each number of sessions, one trial until
 * its last windows agree (the search's stability rule) or for the longest trial, then its throughput and latency
 * (from the actual send: a closed loop has no intended time) over those last windows.
 */
public final class ConcurrencySweep {

    /**
     * The sweep's settings.
     *
     * @param levels the numbers of sessions, in order
     * @param thinkTime each session's pause between requests
     * @param interval the window length
     * @param minTrial the shortest trial
     * @param maxTrial the longest trial
     * @param stableWindows windows that must agree
     * @param stability their tolerance, e.g. 0.1
     */
    public record Config(List<Integer> levels, Duration thinkTime, Duration interval, Duration minTrial,
            Duration maxTrial, int stableWindows, double stability) implements Serializable {
        public Config {
            levels = List.copyOf(levels);
            if (levels.isEmpty()) {
                throw new IllegalArgumentException("a sweep needs at least one level");
            }
            if (minTrial.compareTo(maxTrial) > 0) {
                throw new IllegalArgumentException("the shortest trial (" + minTrial + ") is longer than the longest ("
                        + maxTrial + ")");
            }
        }
    }

    /**
     * One level.
     *
     * @param concurrency sessions
     * @param achievedRate completed requests per second over the measured windows
     * @param latency latency (from the actual send) over them
     * @param errorRatio errors / completed over them
     * @param length how long the trial ran
     * @param stable whether its last windows agreed
     * @param verdict whether the generator kept up
     */
    public record Level(int concurrency, double achievedRate, LatencySummary latency, double errorRatio,
            Duration length, boolean stable, Verdict verdict) implements Serializable {
    }

    private final Workload workload;
    private final TransportConfig transport;
    private final EngineConfig engine;
    private final Config config;
    private final Consumer<Level> onLevel;

    /**
     * @param workload what each request is
     * @param transport transport settings
     * @param engine engine settings (the window becomes the sweep's interval)
     * @param config the sweep
     * @param onLevel hears each level as its trial ends
     */
    public ConcurrencySweep(Workload workload, TransportConfig transport, EngineConfig engine, Config config,
            Consumer<Level> onLevel) {
        this.workload = Objects.requireNonNull(workload);
        this.transport = Objects.requireNonNull(transport);
        this.engine = MeasuredWindows.trialEngine(engine, config.interval(), MaxRateSearch.TRIAL_DRAIN);
        this.config = Objects.requireNonNull(config);
        this.onLevel = Objects.requireNonNull(onLevel);
    }

    /**
     * Runs every level in turn.
     *
     * @return the levels, in order
     * @throws InterruptedException if interrupted; the trial going on is stopped
     */
    public List<Level> run() throws InterruptedException {
        List<Level> out = new ArrayList<>();
        for (int n : config.levels()) {
            Level l = trial(n);
            out.add(l);
            onLevel.accept(l);
        }
        return out;
    }

    private Level trial(int sessions) throws InterruptedException {
        List<IntervalStats> stats = new CopyOnWriteArrayList<>();
        List<IntervalHistograms> hists = new CopyOnWriteArrayList<>();
        LoadGenerator gen = LoadGenerator.builder(workload).transport(transport).engine(engine)
                .plan(RunPlan.closed(sessions, config.thinkTime(), config.maxTrial(), 0))
                .listener((s, h) -> {
                    stats.add(s);
                    hists.add(h);
                })
                .build();
        long start = System.nanoTime();
        gen.start();
        boolean stable = false;
        int k = config.stableWindows();
        Duration decided = null;
        int windows = -1;
        try {
            while (!gen.awaitEnd(config.interval().dividedBy(4))) {
                // a snapshot: the interval clock appends meanwhile, and a live subList would then throw
                List<IntervalStats> seen = List.copyOf(stats);
                int n = seen.size();
                Duration ran = Duration.ofNanos(System.nanoTime() - start);
                // the first window (connections opening, sessions starting together) is left out
                if (ran.compareTo(config.minTrial()) >= 0 && n >= k + 1
                        && Stability.agree(seen.subList(n - k, n), config.stability())) {
                    stable = true;
                    decided = ran;
                    windows = n;
                    gen.stop();
                    break;
                }
            }
        } finally {
            gen.stop();
        }
        int end = windows >= 0 ? windows : stats.size();
        while (end > 1 && stats.get(end - 1).length().compareTo(config.interval().multipliedBy(9).dividedBy(10)) < 0) {
            end--; // a last window cut short by the end of the trial
        }
        MeasuredWindows w = MeasuredWindows.sum(stats, hists, end - 1, k);
        return new Level(sessions, w.perSecond(w.completed()), LatencySummary.of(w.latency()),
                w.completed() > 0 ? (double) w.errors() / w.completed() : 0,
                decided != null ? decided : Duration.ofNanos(System.nanoTime() - start), stable,
                gen.summary().verdict());
    }
}
