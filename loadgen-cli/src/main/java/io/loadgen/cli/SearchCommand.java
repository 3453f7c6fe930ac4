package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.report.HtmlReport;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.search.MaxRateSearch;
import io.loadgen.core.search.SearchConfig;
import io.loadgen.core.search.SearchFile;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen search --target URL --p99 50ms}: the highest rate whose p99 holds the bound. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find the highest Poisson arrival rate whose p99 latency (from the intended send time) stays"
                + " within --p99 with at most --max-errors errors. Each trial runs until its last windows agree (or"
                + " --max-trial); the rate doubles until a trial fails, then the bracket is bisected.",
                "Writes search.json and report.html (the latency-vs-throughput curve) into --out."})
public final class SearchCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    WorkloadOptions request = new WorkloadOptions();

    @Option(names = "--p99", paramLabel = "DUR", required = true, description = "The p99 bound, e.g. 50ms.")
    String p99;

    @Option(names = "--max-errors", paramLabel = "PCT", defaultValue = "1",
            description = "Largest share of errors a passing rate may have, in percent (default 1).")
    double maxErrors;

    @Option(names = "--start", paramLabel = "N", defaultValue = "10", description = "First rate tried (default 10).")
    double start;

    @Option(names = "--max-rate", paramLabel = "N", defaultValue = "100000", description = "Highest rate tried.")
    double maxRate;

    @Option(names = "--precision", paramLabel = "PCT", defaultValue = "5",
            description = "Stop when the bracket is narrower than this share, in percent (default 5).")
    double precision;

    @Option(names = "--min-trial", paramLabel = "DUR", defaultValue = "5s", description = "Shortest trial.")
    String minTrial;

    @Option(names = "--max-trial", paramLabel = "DUR", defaultValue = "30s",
            description = "Longest trial; an unsettled trial is judged on its last windows.")
    String maxTrial;

    @Option(names = "--out", paramLabel = "DIR", description = "Where search.json and report.html go.")
    Path out;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(CoreSettings.TARGET_GROUP, CoreSettings.SCHEDULE_GROUP.only(CoreSettings.SEED),
                CoreSettings.ENGINE_GROUP, CoreSettings.TRANSPORT_GROUP, CoreSettings.RESULTS_GROUP);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Settings cfg = CliSettings.load(spec);
        Workload workload = request.workload(cfg, List.of());
        URI uri = workload.target();
        SearchConfig sc;
        try {
            sc = SearchConfig.custom(ChronoDurations.parse(p99, "ms"))
                    .maxErrorRatio(maxErrors / 100).startRate(start).maxRate(maxRate).precision(precision / 100)
                    .trialLength(ChronoDurations.parse(minTrial, "s"), ChronoDurations.parse(maxTrial, "s"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        Path dir = out != null ? out : cfg.get(CoreSettings.OUT_DIR).resolve("search-" + LocalDateTime.now().format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        o.printf("loadgen search: %s, p99 <= %s with <= %.2f%% errors%n", workload, ChronoDurations.format(
                sc.p99Bound()), maxErrors);
        o.flush();
        MaxRateSearch.Result r = new MaxRateSearch(workload, TransportConfig.from(cfg), EngineConfig.from(cfg), sc, t -> {
            o.printf(Locale.ROOT, "trial %2d: %10.1f/s -> achieved %10.1f/s, p99 %9s, errors %.2f%%, %5.1fs%s: %s;"
                    + " generator %s%n", t.number(), t.targetRate(), t.achievedRate(), ChronoDurations.format(t.p99()),
                    100 * t.errorRatio(), ChronoDurations.seconds(t.length()), t.stable() ? " stable" : "",
                    t.passed() ? "PASS" : "FAIL (" + t.reason() + ")", t.verdict().describe());
            o.flush();
        }).run();
        SearchFile.of(uri.toString(), sc, r).write(dir.resolve(SearchFile.FILE));
        o.printf(Locale.ROOT, "answer: %.1f requests/s (%s)%n", r.maxRate(), SearchFile.confidence(r));
        long invalid = r.trials().stream().filter(t -> !t.verdict().valid()).count();
        if (invalid > 0) {
            o.printf("warning: the generator did not keep the schedule of %d trial(s): their figures include its own"
                    + " limits (see the verdicts above)%n", invalid);
        }
        o.println("report: " + HtmlReport.write(dir).toAbsolutePath());
        o.flush();
        return r.maxRate() > 0 ? 0 : Main.EXIT_ASSERTION_FAILED;
    }
}
