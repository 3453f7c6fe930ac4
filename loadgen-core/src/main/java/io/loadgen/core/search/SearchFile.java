package io.loadgen.core.search;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.report.SummaryFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code search.json}: a search's bound, answer, confidence and every trial, as one Jackson-bound record written by
 * {@code loadgen search} and read back by the report and the tests.
 *
 * @param target the URL searched
 * @param p99BoundMs the p99 bound, ms
 * @param maxErrorRatio the largest share of errors a passing rate may have
 * @param maxRate the answer: the highest passing rate, requests/s (0 when none passed)
 * @param lowestFailingRate the lowest failing rate, or {@code null} when none failed
 * @param confidence how sure the answer is, in words
 * @param trials every trial, in order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SearchFile(String target, double p99BoundMs, double maxErrorRatio, double maxRate,
        Double lowestFailingRate, String confidence, List<TrialEntry> trials) {
    /** The file's name in a results dir. */
    public static final String FILE = "search.json";

    /**
     * One trial.
     *
     * @param number 1, 2, ...
     * @param targetRate the rate asked for
     * @param offeredRate scheduled per second over the measured windows
     * @param achievedRate completed per second over them
     * @param p99Ms p99 latency over them, ms
     * @param errorRatio errors / completed
     * @param lengthS how long the trial ran, s
     * @param stable whether its last windows agreed
     * @param passed whether the rate held the bound
     * @param result {@code ok} or why it failed
     * @param valid whether the generator kept the trial's schedule
     * @param verdictReasons why not
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TrialEntry(int number, double targetRate, double offeredRate, double achievedRate, double p99Ms,
            double errorRatio, double lengthS, boolean stable, boolean passed, String result, boolean valid,
            List<String> verdictReasons) {
    }

    /** @return a sentence on how sure the answer is: the final bracket, and whether the best trial was stable */
    public static String confidence(MaxRateSearch.Result r) {
        MaxRateSearch.Trial best = r.trials().stream().filter(MaxRateSearch.Trial::passed)
                .filter(t -> t.targetRate() == r.maxRate()).findFirst().orElse(null);
        String stable = best == null ? "no rate passed" : best.stable() ? "its trial was stable"
                : "its trial did not settle within the trial length";
        if (Double.isNaN(r.lowestFailing())) {
            return String.format(Locale.ROOT, "a lower bound: no rate up to %.1f/s failed; %s", r.maxRate(), stable);
        }
        return String.format(Locale.ROOT, "between %.1f/s (passed) and %.1f/s (failed), within %.1f%%; %s",
                r.maxRate(), r.lowestFailing(), 100 * r.bracketWidth(), stable);
    }

    /**
     * @param target the URL searched
     * @param config the search settings
     * @param r the answer
     * @return the document
     */
    public static SearchFile of(String target, SearchConfig config, MaxRateSearch.Result r) {
        List<TrialEntry> trials = r.trials().stream().map(t -> new TrialEntry(t.number(), t.targetRate(),
                t.offeredRate(), t.achievedRate(), ChronoDurations.millis(t.p99()), t.errorRatio(),
                ChronoDurations.seconds(t.length()), t.stable(), t.passed(), t.reason(), t.verdict().valid(),
                t.verdict().reasons())).toList();
        return new SearchFile(target, ChronoDurations.millis(config.p99Bound()), config.maxErrorRatio(), r.maxRate(),
                Double.isNaN(r.lowestFailing()) ? null : r.lowestFailing(), confidence(r), trials);
    }

    /** Writes the file. */
    public void write(Path file) throws IOException {
        SummaryFile.MAPPER.writeValue(file.toFile(), this);
    }

    /** @return the file, read */
    public static SearchFile read(Path file) throws IOException {
        return SummaryFile.MAPPER.readValue(file.toFile(), SearchFile.class);
    }
}
