package io.loadgen.core.search;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.report.SummaryFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sweep.json}: a closed-loop sweep's levels (throughput and latency per number of sessions), as one
 * Jackson-bound record written by {@code loadgen run --concurrency 1,2,4,...} and read back by the report.
 *
 * @param target the URL driven
 * @param thinkTimeMs the sessions' think time, ms
 * @param latencyFrom {@code actual send}: a closed loop has no intended time
 * @param levels the levels, in order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SweepFile(String target, double thinkTimeMs, String latencyFrom, List<LevelEntry> levels) {
    /** The file's name in a results dir. */
    public static final String FILE = "sweep.json";

    /**
     * One level.
     *
     * @param concurrency sessions
     * @param achievedRate completed per second
     * @param p50Ms median latency, ms
     * @param p90Ms 90th percentile, ms
     * @param p99Ms 99th percentile, ms
     * @param maxMs largest, ms
     * @param errorRatio errors / completed
     * @param lengthS the trial's length, s
     * @param stable whether its last windows agreed
     * @param valid whether the generator kept up
     * @param verdictReasons why not
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LevelEntry(int concurrency, double achievedRate, double p50Ms, double p90Ms, double p99Ms,
            double maxMs, double errorRatio, double lengthS, boolean stable, boolean valid,
            List<String> verdictReasons) {
    }

    /** @return the document of a sweep */
    public static SweepFile of(String target, ConcurrencySweep.Config config, List<ConcurrencySweep.Level> levels) {
        return new SweepFile(target, ChronoDurations.millis(config.thinkTime()), "actual send",
                levels.stream().map(l -> new LevelEntry(l.concurrency(), l.achievedRate(),
                        ChronoDurations.millis(l.latency().p50()), ChronoDurations.millis(l.latency().p90()),
                        ChronoDurations.millis(l.latency().p99()), ChronoDurations.millis(l.latency().max()),
                        l.errorRatio(), ChronoDurations.seconds(l.length()), l.stable(), l.verdict().valid(),
                        l.verdict().reasons())).toList());
    }

    /** Writes the file. */
    public void write(Path file) throws IOException {
        SummaryFile.MAPPER.writeValue(file.toFile(), this);
    }

    /** @return the file, read */
    public static SweepFile read(Path file) throws IOException {
        return SummaryFile.MAPPER.readValue(file.toFile(), SweepFile.class);
    }
}
