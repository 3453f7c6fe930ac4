package io.loadgen.bench.engine;

import io.loadgen.bench.report.Fmt;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The highest constant rate a tool holds against a target (see {@link HeldRule}): it walks a ladder of rates upward
 * until a rate is not held, then bisects between the last rate held and the first that failed until they are
 * within a resolution (10%), as long as the search's share of the time budget lasts. One trial at the comparison
 * rate (20k/s) is added if the search did not run one, so that every tool has a CPU figure at the same rate. If the
 * lowest rung fails, the bisection goes down from it (halving) to {@link #MIN_RATE}. A rate that is not held (with
 * figures) is run once more while the budget allows, and is held if that retry holds: on two shared cores one
 * trial can lose a few milliseconds to another process, and a search that stops at the first such trial would report
 * the noise, not the tool. Every tool is searched alike.
 */
public final class HeldRateSearch {
    /** The lowest rate a bisection tries. */
    static final double MIN_RATE = 1000;

    /** Runs one trial at a rate. */
    @FunctionalInterface
    public interface Trials {
        /**
         * @param rate req/s
         * @return what the trial measured
         * @throws IOException if the tool cannot be started
         * @throws InterruptedException if interrupted
         */
        Measurement run(double rate) throws IOException, InterruptedException;
    }

    /**
     * A trial and its verdict.
     *
     * @param m what it measured
     * @param held whether the rate was held
     * @param phase "ladder", "bisect" or "compare"
     */
    public record Trial(Measurement m, Held held, String phase) {
    }

    /**
     * The outcome of one search.
     *
     * @param trials every trial, in the order run
     * @param highestHeld the highest rate held, or null if none was
     * @param firstFailed the lowest rate above it that was not held, or null
     * @param stop why the search stopped where it did
     */
    public record Result(List<Trial> trials, Trial highestHeld, Trial firstFailed, String stop) {
        /**
         * @param rate a rate
         * @return the last trial at that rate
         */
        public Optional<Trial> at(double rate) {
            Trial found = null;
            for (Trial t : trials) {
                if (Math.abs(t.m().offered() - rate) < 0.5) {
                    found = t;
                }
            }
            return Optional.ofNullable(found);
        }
    }

    private final HeldRule rule;
    private final List<Double> ladder;
    private final boolean bisect;
    private final double resolution;
    private final double compareRate;

    /**
     * @param rule when a rate is held
     * @param ladder the rates to walk up, ascending
     * @param bisect whether to bisect after the walk
     * @param resolution the bisection stops when (failed - held) / held is at most this
     * @param compareRate the rate every tool is also run at (NaN for none)
     */
    public HeldRateSearch(HeldRule rule, List<Double> ladder, boolean bisect, double resolution, double compareRate) {
        this.rule = rule;
        this.ladder = ladder.stream().sorted().distinct().toList();
        this.bisect = bisect;
        this.resolution = resolution;
        this.compareRate = compareRate;
    }

    /**
     * @param trials runs a trial
     * @param perTrial how long a trial takes, overhead included
     * @param slice the end of this search's share of the budget
     * @param overall the end of the whole budget (for the comparison trial)
     * @return the outcome
     * @throws IOException if the tool cannot be started
     * @throws InterruptedException if interrupted
     */
    public Result search(Trials trials, Duration perTrial, Budget.Deadline slice, Budget.Deadline overall)
            throws IOException, InterruptedException {
        List<Trial> done = new ArrayList<>();
        Trial highest = null;
        Trial failed = null;
        String stop = null;
        for (double rate : ladder) {
            if (!done.isEmpty() && !slice.fits(perTrial)) {
                stop = "time budget: stopped before " + Fmt.rate(rate) + "/s";
                break;
            }
            Trial t = confirmed(trials, rate, "ladder", done, slice, perTrial);
            if (t.held().held()) {
                highest = t;
            } else {
                failed = t;
                break;
            }
        }
        if (stop == null && failed == null) {
            stop = "the top of the ladder (" + Fmt.rate(ladder.get(ladder.size() - 1)) + "/s) held";
        }
        if (bisect && failed != null && stop == null && !broken(failed)) {
            while (true) {
                double lo = highest == null ? 0 : highest.m().offered();
                double hi = failed.m().offered();
                if (lo > 0 ? (hi - lo) / lo <= resolution : hi / 2 < MIN_RATE) {
                    break;
                }
                double mid = round100(lo > 0 ? (lo + hi) / 2 : hi / 2);
                if (mid <= lo || mid >= hi) {
                    break;
                }
                if (!slice.fits(perTrial)) {
                    stop = "time budget: bisection stopped between " + Fmt.rate(lo) + " and " + Fmt.rate(hi) + "/s";
                    break;
                }
                Trial t = confirmed(trials, mid, "bisect", done, slice, perTrial);
                if (t.held().held()) {
                    highest = t;
                } else {
                    failed = t;
                    if (broken(t)) {
                        break;
                    }
                }
            }
        }
        if (!Double.isNaN(compareRate) && done.stream().noneMatch(t -> Math.abs(t.m().offered() - compareRate) < 0.5)
                && overall.fits(perTrial)) {
            done.add(trial(trials, compareRate, "compare"));
        }
        if (failed != null && stop == null) {
            stop = Fmt.rate(failed.m().offered()) + "/s: " + failed.held().why();
        }
        return new Result(List.copyOf(done), highest, failed, stop);
    }

    /** A trial, and a retry if it was not held (with figures) and the budget allows; both are kept in {@code done}. */
    private Trial confirmed(Trials trials, double rate, String phase, List<Trial> done, Budget.Deadline slice,
            Duration perTrial) throws IOException, InterruptedException {
        Trial t = trial(trials, rate, phase);
        done.add(t);
        if (t.held().held() || broken(t) || !slice.fits(perTrial)) {
            return t;
        }
        Trial again = trial(trials, rate, phase + " retry");
        done.add(again);
        return again;
    }

    private Trial trial(Trials trials, double rate, String phase) throws IOException, InterruptedException {
        Measurement m = trials.run(rate);
        return new Trial(m, rule.judge(m), phase);
    }

    /** A trial that produced no figures: the tool is broken, not slow; bisecting would not help. */
    private static boolean broken(Trial t) {
        return Double.isNaN(t.m().achieved());
    }

    private static double round100(double v) {
        return Math.round(v / 100) * 100.0;
    }
}
