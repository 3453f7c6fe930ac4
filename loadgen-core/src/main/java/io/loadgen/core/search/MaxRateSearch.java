package io.loadgen.core.search;

import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Finds the highest Poisson arrival rate whose p99 latency (from the intended send time) stays within a bound with
 * few enough errors: the question MLPerf's Server scenario and Triton's perf_analyzer answer.
 *
 * <p>Each trial drives the target at one rate until it is stable (the last {@code stableWindows} windows agree on
 * achieved rate and p99 within {@code stability}, as perf_analyzer does) or for {@code maxTrial}; a trial clearly over
 * the bound (p99 above three times it, or a tenth of requests failing) stops early. The search doubles the rate from
 * {@code startRate} until a trial fails, then bisects the bracket until it is narrower than {@code precision}. A rate
 * passes when its p99 is within the bound, its errors within {@code maxErrorRatio} and it achieved at least 95% of what
 * it offered (no backlog).
 */
public final class MaxRateSearch {

    /**
     * One trial.
     *
     * @param number 1, 2, ...
     * @param targetRate the rate asked for, requests per second
     * @param offeredRate the rate scheduled over the measured windows
     * @param achievedRate completions per second over the measured windows
     * @param p99 p99 latency from the intended send time over the measured windows
     * @param errorRatio errors / completed over the measured windows
     * @param length how long the trial scheduled requests (from its start, self-warm included, to the decision)
     * @param stable whether the last windows agreed
     * @param passed whether the rate holds the bound
     * @param reason why it failed, or "ok"
     * @param verdict whether the generator kept the trial's schedule (an invalid trial's figures include the
     *     generator's own limits)
     */
    public record Trial(int number, double targetRate, double offeredRate, double achievedRate, Duration p99,
            double errorRatio, Duration length, boolean stable, boolean passed, String reason, Verdict verdict)
            implements Serializable {
    }

    /**
     * The answer.
     *
     * @param maxRate the highest passing rate tried, requests per second; 0 when none passed
     * @param lowestFailing the lowest failing rate tried, or {@code NaN} when none failed (the answer is then a lower
     *     bound, limited by {@code maxRate} or the trial budget)
     * @param trials every trial, in order
     */
    public record Result(double maxRate, double lowestFailing, List<Trial> trials) implements Serializable {
        public Result {
            trials = List.copyOf(trials);
        }

        /** @return the relative width of the final bracket, e.g. 0.04 for 4%; NaN when there is no upper bound */
        public double bracketWidth() {
            return Double.isNaN(lowestFailing) || lowestFailing <= 0 ? Double.NaN
                    : (lowestFailing - maxRate) / lowestFailing;
        }
    }

    /** The longest drain after a trial. */
    static final Duration TRIAL_DRAIN = Duration.ofSeconds(2);

    private final Workload workload;
    private final TransportConfig transport;
    private final EngineConfig engine;
    private final SearchConfig config;
    private final Consumer<Trial> onTrial;

    /**
     * @param workload what each request is
     * @param transport transport settings
     * @param engine engine settings (its recording interval is replaced by the search's window)
     * @param config the search
     * @param onTrial hears each trial as it ends (for printing)
     */
    public MaxRateSearch(Workload workload, TransportConfig transport, EngineConfig engine, SearchConfig config,
            Consumer<Trial> onTrial) {
        this.workload = Objects.requireNonNull(workload);
        this.transport = Objects.requireNonNull(transport);
        this.engine = MeasuredWindows.trialEngine(engine, config.interval(), TRIAL_DRAIN);
        this.config = Objects.requireNonNull(config);
        this.onTrial = Objects.requireNonNull(onTrial);
    }

    /**
     * Runs the search.
     *
     * @return the answer
     * @throws InterruptedException if interrupted; the trial going on is stopped
     */
    public Result run() throws InterruptedException {
        List<Trial> trials = new ArrayList<>();
        double lo = 0;
        double hi = Double.NaN;
        double rate = config.startRate();
        while (trials.size() < config.maxTrials()) {
            Trial t = trial(trials.size() + 1, rate);
            trials.add(t);
            onTrial.accept(t);
            if (t.passed()) {
                lo = Math.max(lo, rate);
                if (Double.isNaN(hi)) {
                    if (rate >= config.maxRate()) {
                        break;
                    }
                    rate = Math.min(rate * 2, config.maxRate());
                    continue;
                }
            } else {
                hi = Double.isNaN(hi) ? rate : Math.min(hi, rate);
            }
            if (!Double.isNaN(hi) && (hi - lo) / hi <= config.precision()) {
                break;
            }
            rate = lo > 0 ? (lo + hi) / 2 : hi / 2;
            if (rate < 0.01) {
                break;
            }
        }
        return new Result(lo, hi, trials);
    }

    private Trial trial(int number, double rate) throws InterruptedException {
        List<IntervalStats> stats = new CopyOnWriteArrayList<>();
        List<IntervalHistograms> hists = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<IntervalListener.Waiting> overdue =
                new java.util.concurrent.atomic.AtomicReference<>();
        LoadGenerator gen = LoadGenerator.builder(workload).transport(transport).engine(engine)
                .plan(new RunPlan(new ConstantRate(rate), Arrival.POISSON, number, config.maxTrial()))
                .listener(new IntervalListener() {
                    @Override
                    public void onInterval(IntervalStats s, IntervalHistograms h) {
                        stats.add(s);
                        hists.add(h);
                    }

                    @Override
                    public void onWaiting(Waiting w) {
                        overdue.set(w);
                    }
                })
                .build();
        // An interval is published once all its requests ended: an overloaded trial publishes late. Being two
        // intervals behind means requests in flight longer than an interval: over 3x the bound when that is shorter.
        boolean overdueFails = config.interval().toNanos() > 3 * config.p99Bound().toNanos();
        long start = System.nanoTime();
        gen.start();
        String early = null;
        boolean stable = false;
        Duration decidedAfter = null;
        int k = config.stableWindows();
        try {
            while (!gen.awaitEnd(config.interval().dividedBy(4))) {
                // a snapshot: the interval clock appends meanwhile, and a live subList would then throw
                List<IntervalStats> seen = List.copyOf(stats);
                int n = seen.size();
                if (n >= 2) {
                    IntervalStats last = seen.get(n - 1);
                    double p99 = ChronoDurations.millis(last.latency().p99());
                    if (p99 > 3 * ChronoDurations.millis(config.p99Bound())) {
                        early = "p99 " + fmt(p99) + " ms, over 3x the bound";
                    } else if (last.errorRatio() > Math.max(0.10, 5 * config.maxErrorRatio())) {
                        early = "errors " + fmt(100 * last.errorRatio()) + "%";
                    }
                }
                IntervalListener.Waiting w = overdue.get();
                if (early == null && overdueFails && w != null) {
                    early = w.inFlight() + " requests still in flight after more than an interval ("
                            + ChronoDurations.format(config.interval()) + "), over 3x the bound";
                }
                Duration ran = Duration.ofNanos(System.nanoTime() - start);
                if (early == null && ran.compareTo(config.minTrial()) >= 0 && n >= k + 1) {
                    stable = agree(seen.subList(n - k, n));
                }
                if (early != null || stable) {
                    decidedAfter = Duration.ofNanos(System.nanoTime() - start);
                    gen.stop();
                    break;
                }
            }
        } finally {
            gen.stop();
        }
        // Measure over the last windows before the end of scheduling (not the drain tail, not the first window).
        MeasuredWindows w = MeasuredWindows.sum(stats, hists, stats.isEmpty() ? -1 : lastScheduling(stats), k);
        double offered = w.perSecond(w.scheduled());
        double achieved = w.perSecond(w.completed());
        double errorRatio = w.completed() > 0 ? (double) w.errors() / w.completed() : (w.scheduled() > 0 ? 1 : 0);
        Duration p99 = Duration.ofNanos(w.latency().getValueAtPercentile(99) * 1000);
        RunSummary summary = gen.summary();
        String reason;
        if (summary.state().startsWith("failed")) {
            reason = "the trial's run " + summary.state();
        } else if (stats.isEmpty()) {
            reason = "the trial ended before its first window was recorded (" + summary.state() + ")";
        } else if (early != null) {
            reason = early;
        } else if (p99.compareTo(config.p99Bound()) > 0) {
            reason = "p99 " + fmt(ChronoDurations.millis(p99)) + " ms over the bound";
        } else if (errorRatio > config.maxErrorRatio()) {
            reason = "errors " + fmt(100 * errorRatio) + "%";
        } else if (achieved < 0.95 * offered) {
            reason = "achieved " + fmt(achieved) + "/s of " + fmt(offered) + "/s offered";
        } else {
            reason = "ok";
        }
        return new Trial(number, rate, offered, achieved, p99, errorRatio,
                decidedAfter != null ? decidedAfter : Duration.ofNanos(System.nanoTime() - start), stable,
                reason.equals("ok"), reason,
                summary.verdict());
    }

    private static int lastScheduling(List<IntervalStats> stats) {
        int i = stats.size() - 1;
        while (i > 0 && stats.get(i).counts().scheduled() == 0) {
            i--;
        }
        return Math.max(0, i);
    }

    private boolean agree(List<IntervalStats> windows) {
        return Stability.agree(windows, config.stability());
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
