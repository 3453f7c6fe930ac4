package io.loadgen.core.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code summary.json}: a run's summary as one Jackson-bound record, written by {@link ResultsWriter} and read back by
 * the report, the benchmarks and the tests. Rates are in requests per second, latencies in milliseconds, durations
 * in seconds; keys are snake_case. Every count is of the requests whose intended send time fell in the measured
 * window, whenever they ended: {@code completed <= sent <= scheduled}, {@code scheduled = sent + dropped},
 * {@code sent = completed + unfinished}.
 *
 * @param target the URL driven
 * @param profile the profile in force at the end
 * @param arrival {@code constant} or {@code poisson}
 * @param state {@code completed}, {@code stopped}, {@code interrupted} (or {@code running})
 * @param start wall-clock time of the first intended send, ISO-8601
 * @param durationS the measured window, seconds
 * @param warmupS the start of the run left out, seconds
 * @param selfWarm what the generator's self-warm did, or empty
 * @param intervals intervals in the window
 * @param offeredRate scheduled / duration
 * @param achievedRate completed / duration
 * @param scheduled requests due in the window
 * @param sent of those, handed to the transport
 * @param completed of those, ended with an outcome (answered, failed, timed out)
 * @param completedBeforeEnd of those, ended before scheduling ended
 * @param ok answered below 400
 * @param errors failures by kind
 * @param errorRatio errors / completed
 * @param dropped never sent (client limits, or queued at the end of the drain)
 * @param unfinished sent and still in flight when the drain ended
 * @param waited waited in the client for an in-flight slot
 * @param latencyMs from the intended send to the end, of every sent request
 * @param serviceTimeMs from the write to the end, of every written request
 * @param sendLagMs dispatch minus intended time
 * @param verdict whether the generator kept its schedule
 * @param generator what the generator cost
 * @param settings the run's settings, by key
 * @param mode {@code open} (latency from the intended send time) or {@code closed} (from the actual send: a closed
 *     loop has no intended time)
 * @param concurrency closed-loop sessions at the end, or 0
 * @param transport {@code lean} or {@code httpclient}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SummaryFile(String target, String profile, String arrival, String state, String start,
        double durationS, double warmupS, String selfWarm, long intervals, double offeredRate, double achievedRate,
        long scheduled, long sent, long completed, long completedBeforeEnd, long ok, Errors errors,
        double errorRatio, long dropped, long unfinished, long waited, Latency latencyMs, Latency serviceTimeMs,
        Latency sendLagMs, VerdictEntry verdict, Generator generator, Map<String, String> settings, String mode,
        int concurrency, String transport,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        Checks checks,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        List<AgentEntry> agents) {

    public SummaryFile {
        agents = agents == null ? List.of() : List.copyOf(agents);
    }

    /**
     * One agent of a run over many ({@code loadgen run --agents}); absent for a run of one generator. Its counts and
     * latencies are of its own share; the run's are their merge.
     *
     * @param id the agent's name
     * @param address its host:port
     * @param state {@code ended} or {@code lost}
     * @param share its share of the load ({@code slice 0 of 3}, {@code 4 sessions})
     * @param clockOffsetMs its clock minus the coordinator's, ms
     * @param clockUncertaintyMs how uncertain that is (half the best round trip), ms
     * @param lostAtInterval the first interval it did not deliver, when lost
     * @param reason why it was lost or ended early, if it was
     * @param sent its requests sent
     * @param completed of those, ended with an outcome
     * @param ok answered below 400
     * @param errors failures
     * @param latencyMs its latency from the intended send time
     * @param verdict its generator's verdict
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AgentEntry(String id, String address, String state, String share, double clockOffsetMs,
            double clockUncertaintyMs,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Long lostAtInterval,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            String reason, long sent, long completed, long ok, long errors, Latency latencyMs, VerdictEntry verdict) {
        /**
         * @param id the agent's name
         * @param address its host:port
         * @param state {@code ended} or {@code lost}
         * @param share its share
         * @param clockOffset its clock minus the coordinator's
         * @param clockUncertainty how uncertain that is
         * @param lostAtInterval the first interval it did not deliver, when lost
         * @param reason why it was lost, if it was
         * @param s its summary
         * @return the entry
         */
        public static AgentEntry of(String id, String address, String state, String share, Duration clockOffset,
                Duration clockUncertainty, Long lostAtInterval, String reason, RunSummary s) {
            return new AgentEntry(id, address, state, share, ms(clockOffset), ms(clockUncertainty), lostAtInterval,
                    reason, s.counts().sent(), s.counts().completed(), s.counts().ok(), s.counts().errors().total(),
                    latency(s.latency()), new VerdictEntry(s.verdict().valid(), s.verdict().reasons()));
        }
    }

    /** @return this document with the agents of a run over many */
    public SummaryFile withAgents(List<AgentEntry> list) {
        return new SummaryFile(target, profile, arrival, state, start, durationS, warmupS, selfWarm, intervals,
                offeredRate, achievedRate, scheduled, sent, completed, completedBeforeEnd, ok, errors, errorRatio,
                dropped, unfinished, waited, latencyMs, serviceTimeMs, sendLagMs, verdict, generator, settings, mode,
                concurrency, transport, checks, list);
    }

    /**
     * The answers against the run's checks ({@code --check}); absent without checks.
     *
     * @param passed responses of the window that passed every check
     * @param failed responses of the window that failed one, or were HTTP errors; passed + failed = responses
     * @param ratio passed / (passed + failed), or null when none was checked
     * @param byCheck each check's failures over the whole run (its warm-up included), by its spec
     */
    public record Checks(long passed, long failed, Double ratio, @JsonProperty("by_check") Map<String, Long> byCheck) {
    }

    /** The file's name in a results dir. */
    public static final String FILE = "summary.json";
    /** The mapper of every JSON file loadgen writes and reads. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Failures by kind.
     *
     * @param total all of them
     * @param connect the connection could not be made
     * @param timeout no complete response within the response timeout
     * @param http4xx answered 4xx
     * @param http5xx answered 5xx
     * @param other anything else
     * @param check answered, but the answer failed a check ({@code --check})
     * @param shed of {@code http_4xx} and {@code http_5xx}: the 429 and 503 answers with which the server shed load
     */
    public record Errors(long total, long connect, long timeout, @JsonProperty("http_4xx") long http4xx,
            @JsonProperty("http_5xx") long http5xx, long other, long check, long shed) {
    }

    /**
     * Percentiles in milliseconds.
     *
     * @param count values recorded
     * @param p50 median
     * @param p90 90th percentile
     * @param p99 99th percentile
     * @param p999 99.9th percentile
     * @param max largest
     * @param mean mean
     */
    public record Latency(long count, double p50, double p90, double p99, double p999, double max, double mean) {
    }

    /**
     * The verdict.
     *
     * @param valid whether the generator kept its schedule
     * @param reasons why not, one sentence each
     */
    public record VerdictEntry(boolean valid, List<String> reasons) {
    }

    /**
     * What the generator cost over the window.
     *
     * @param cores processors available
     * @param processCpu CPU of the whole process, in cores
     * @param generatorCpu CPU of the generator's threads, in cores
     * @param busiestThread the busiest generator thread
     * @param busiestThreadCpu its CPU, as a fraction of one core
     * @param gcPauses stop-the-world pauses
     * @param gcPauseTotalMs their total, ms
     * @param gcPauseMaxMs the longest, ms
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Generator(int cores, double processCpu, double generatorCpu, String busiestThread,
            double busiestThreadCpu, long gcPauses, double gcPauseTotalMs, double gcPauseMaxMs) {
    }

    /**
     * @param s the summary
     * @param settings the run's settings, echoed under {@code "settings"} (may be empty)
     * @return the document
     */
    public static SummaryFile of(RunSummary s, Map<String, String> settings) {
        ErrorCounts e = s.counts().errors();
        GeneratorLoad g = s.generator();
        return new SummaryFile(s.target(), s.profile(), s.arrival(), s.state(), s.start().toString(),
                round(ChronoDurations.seconds(s.duration()), 3), round(ChronoDurations.seconds(s.warmup()), 3),
                s.selfWarm(), s.intervals(), round(s.offeredRate(), 3), round(s.achievedRate(), 3),
                s.counts().scheduled(), s.counts().sent(), s.counts().completed(), s.completedBeforeEnd(),
                s.counts().ok(), new Errors(e.total(), e.connect(), e.timeout(), e.http4xx(), e.http5xx(), e.other(),
                        e.check(), e.shed()),
                round(s.errorRatio(), 6), s.counts().dropped(), s.counts().unfinished(), s.counts().waited(),
                latency(s.latency()), latency(s.serviceTime()), latency(s.sendLag()),
                new VerdictEntry(s.verdict().valid(), s.verdict().reasons()),
                new Generator(g.cores(), round(g.processCpu(), 3), round(g.generatorCpu(), 3), g.busiestThread(),
                        round(g.busiestThreadCpu(), 3), g.gcPauses(), ms(g.gcPauseTotal()), ms(g.gcPauseMax())),
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings)),
                s.closedLoop() ? "closed" : "open", s.concurrency(), s.transport(), checks(s.checks()), List.of());
    }

    private static Checks checks(io.loadgen.core.metrics.CheckCounts c) {
        if (!c.enabled()) {
            return null;
        }
        double r = c.ratio();
        return new Checks(c.passed(), c.failed(), Double.isNaN(r) ? null : round(r, 6), c.failedByCheck());
    }

    private static Latency latency(LatencySummary l) {
        return new Latency(l.count(), ms(l.p50()), ms(l.p90()), ms(l.p99()), ms(l.p999()), ms(l.max()), ms(l.mean()));
    }

    private static double ms(Duration d) {
        return round(ChronoDurations.millis(d), 3);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /**
     * Writes the file atomically (to a temporary file, then renamed).
     *
     * @param file where
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        MAPPER.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @param file a {@code summary.json}
     * @return it, read
     * @throws IOException if it cannot be read or is not a summary of this version
     */
    public static SummaryFile read(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), SummaryFile.class);
    }
}
