package io.loadgen.core.search;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.report.SummaryFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code steps.json}: a stepped run's figures per step and its knee, as one Jackson-bound record, written by
 * {@code loadgen demo} and read back by the report. The knee is the highest step whose p99 latency (from the intended
 * send time) stayed within a stated bound with no request failed (a wrong answer is not a failure here: accuracy has
 * its own column); the first step where the server shed load is the first with a 429 or 503 answer.
 *
 * @param p99BoundMs the bound on each step's p99, ms
 * @param bound how the bound was set, e.g. {@code "10x the median at the lightest step, 21.3ms"}
 * @param checked whether answers were checked (then {@code accuracy} is set)
 * @param steps the steps, in order
 * @param kneeStep the knee's step number (from 1), or null when no step met the bound
 * @param firstShedStep the first step with a 429 or 503 answer, or null
 * @param knee the sentence that names the knee and the first shedding step
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StepsFile(double p99BoundMs, String bound, boolean checked, List<StepEntry> steps, Integer kneeStep,
        Integer firstShedStep, String knee) {
    /** The file's name in a results dir. */
    public static final String FILE = "steps.json";
    /** Without a bound of the user's, a step's p99 may be this many times the median latency at the lightest step. */
    public static final int AUTO_BOUND_FACTOR = 10;

    /**
     * One step.
     *
     * @param step its number, from 1
     * @param targetRate the rate asked for, per second
     * @param lengthS its length, s
     * @param offeredRate requests due per second
     * @param achievedRate requests completed per second
     * @param scheduled requests due in it
     * @param ok answered below 400 (and, with checks, right)
     * @param wrong answered, but the answer failed a check
     * @param accuracy ok / (ok + wrong), or null without checks
     * @param p50Ms median latency from the intended send, ms
     * @param p99Ms 99th percentile, ms
     * @param errors failed requests (connect, timeout, HTTP errors, other, dropped, unfinished), wrong answers apart
     * @param shed of the errors: the 429 and 503 answers
     * @param withinBound whether its p99 stayed within the bound with no request failed
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StepEntry(int step, double targetRate, double lengthS, double offeredRate, double achievedRate,
            long scheduled, long ok, long wrong, Double accuracy, double p50Ms, double p99Ms, long errors, long shed,
            boolean withinBound) {
    }

    /**
     * @param steps the steps' figures, in order
     * @return the bound used without one of the user's: {@value #AUTO_BOUND_FACTOR}x the median latency of the first
     *     step that had any request completed; empty when none had
     */
    public static Optional<Duration> autoBound(List<StepBreakdown.StepStats> steps) {
        return steps.stream().filter(s -> s.latency().count() > 0).findFirst()
                .map(s -> s.latency().p50().multipliedBy(AUTO_BOUND_FACTOR));
    }

    /** @return the text that says how {@link #autoBound} sets the bound */
    public static String autoBoundRule(List<StepBreakdown.StepStats> steps) {
        return AUTO_BOUND_FACTOR + "x the median at the lightest step, "
                + steps.stream().filter(s -> s.latency().count() > 0).findFirst()
                        .map(s -> ChronoDurations.format(s.latency().p50())).orElse("-");
    }

    /**
     * @param steps the steps' figures, in order
     * @param bound the bound on each step's p99
     * @param boundRule how the bound was set, for the sentence
     * @param checked whether answers were checked
     * @return the document, with the knee found
     */
    public static StepsFile of(List<StepBreakdown.StepStats> steps, Duration bound, String boundRule,
            boolean checked) {
        List<StepEntry> entries = new ArrayList<>();
        Integer knee = null;
        Integer shed = null;
        for (StepBreakdown.StepStats s : steps) {
            boolean within = s.latency().count() > 0 && s.latency().p99().compareTo(bound) <= 0 && s.failed() == 0;
            if (within) {
                knee = s.number();
            }
            if (shed == null && s.counts().errors().shed() > 0) {
                shed = s.number();
            }
            double accuracy = s.accuracy();
            entries.add(new StepEntry(s.number(), s.targetRate(), ChronoDurations.seconds(s.length()),
                    round(s.offeredRate()), round(s.achievedRate()), s.counts().scheduled(), s.counts().ok(),
                    s.counts().errors().check(), checked && !Double.isNaN(accuracy) ? accuracy : null,
                    ChronoDurations.millis(s.latency().p50()), ChronoDurations.millis(s.latency().p99()), s.failed(),
                    s.counts().errors().shed(), within));
        }
        return new StepsFile(ChronoDurations.millis(bound), boundRule, checked, List.copyOf(entries), knee, shed,
                sentence(entries, knee, shed, bound, boundRule));
    }

    private static String sentence(List<StepEntry> steps, Integer knee, Integer shed, Duration bound, String rule) {
        String of = " of " + steps.size();
        StringBuilder b = new StringBuilder();
        String limit = ChronoDurations.format(bound) + " (" + rule + ")";
        if (knee != null) {
            StepEntry k = steps.get(knee - 1);
            b.append(String.format(Locale.ROOT, "the knee: %s/s (step %d%s) is the highest step whose p99 (%s)"
                    + " stayed within %s with no request failed", rate(k.targetRate()), knee, of, ms(k.p99Ms()),
                    limit));
            List<String> below = steps.subList(0, knee - 1).stream().filter(e -> !e.withinBound())
                    .map(e -> "step " + e.step() + " (p99 " + ms(e.p99Ms()) + (e.errors() > 0 ? ", " + e.errors()
                            + " failed" : "") + ")").toList();
            if (!below.isEmpty()) {
                b.append(", though ").append(String.join(" and ", below)).append(" below it did not");
            }
        } else {
            b.append("no knee: no step kept its p99 within ").append(limit).append(" with no request failed");
        }
        if (shed != null) {
            StepEntry s = steps.get(shed - 1);
            b.append(String.format(Locale.ROOT, "; the server first shed load at %s/s (step %d%s: %d of %d"
                    + " requests answered 429 or 503)", rate(s.targetRate()), shed, of, s.shed(), s.scheduled()));
        } else if (!steps.isEmpty()) {
            b.append(String.format(Locale.ROOT, "; the server shed no load (no 429 or 503) up to %s/s",
                    rate(steps.get(steps.size() - 1).targetRate())));
        }
        return b.toString();
    }

    /**
     * @return the steps as a table with aligned columns, one row per step, for a terminal ({@code *} marks a p99 over
     *     the bound or a step with a failed request); the 503s column counts the 429 and 503 answers
     */
    public String table() {
        String nl = System.lineSeparator();
        StringBuilder rows = new StringBuilder(String.format(Locale.ROOT, "%4s %10s %10s %11s %7s", "step", "target/s",
                "offered/s", "achieved/s", "ok"));
        if (checked) {
            rows.append(String.format(Locale.ROOT, " %6s %8s", "wrong", "accuracy"));
        }
        rows.append(String.format(Locale.ROOT, " %9s %10s %7s %6s", "p50", "p99", "errors", "503s")).append(nl);
        for (StepEntry s : steps) {
            rows.append(String.format(Locale.ROOT, "%4d %10s %10.1f %11.1f %7d", s.step(), rate(s.targetRate()),
                    s.offeredRate(), s.achievedRate(), s.ok()));
            if (checked) {
                rows.append(String.format(Locale.ROOT, " %6d %8s", s.wrong(), s.accuracy() == null ? "-"
                        : String.format(Locale.ROOT, "%.4f", s.accuracy())));
            }
            rows.append(String.format(Locale.ROOT, " %9s %10s %7d %6d", ms(s.p50Ms()),
                    ms(s.p99Ms()) + (s.withinBound() ? "  " : " *"), s.errors(), s.shed())).append(nl);
        }
        return rows.toString();
    }

    private static String ms(double millis) {
        return ChronoDurations.format(Duration.ofNanos(Math.round(millis * 1e6)));
    }

    private static String rate(double perSecond) {
        return perSecond == Math.rint(perSecond) ? String.format(Locale.ROOT, "%.0f", perSecond)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Writes the file. */
    public void write(Path file) throws IOException {
        SummaryFile.MAPPER.writeValue(file.toFile(), this);
    }

    /** @return the file, read */
    public static StepsFile read(Path file) throws IOException {
        return SummaryFile.MAPPER.readValue(file.toFile(), StepsFile.class);
    }
}
