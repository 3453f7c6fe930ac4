package io.loadgen.cli;

import io.loadgen.core.report.HtmlReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code loadgen report DIR}: (re)builds report.html from a results dir's latency.hlog and timeline.csv. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Rebuild DIR/report.html from DIR/timeline.csv and DIR/latency.hlog (and summary.json, search.json"
                + " when present). The report is one self-contained HTML file.")
public final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "A results dir written by loadgen run, demo or search.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        boolean run = Files.isRegularFile(dir.resolve("timeline.csv")) && Files.isRegularFile(dir.resolve("latency.hlog"));
        if (!run && !Files.isRegularFile(dir.resolve("search.json")) && !Files.isRegularFile(dir.resolve("sweep.json"))) {
            throw new io.loadgen.config.UsageException(dir + " is not a results dir: it holds neither timeline.csv and"
                    + " latency.hlog nor search.json nor sweep.json");
        }
        spec.commandLine().getOut().println("report: " + HtmlReport.write(dir).toAbsolutePath());
        return 0;
    }
}
