package io.loadgen.gui;

import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalListener;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.HtmlReport;
import io.loadgen.core.report.ResultsWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * Writes each run of a local engine into a results dir of its own ({@code outDir/gui-<time>}), the same files as
 * {@code loadgen run}: a new dir opens at a run's first interval, and {@link #finish} closes it with the summary and
 * the report.
 */
public final class LocalResults implements IntervalListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalResults.class);
    private final Path outDir;
    private ResultsWriter writer;
    private Path lastDir;

    /** @param outDir the parent of the results dirs */
    public LocalResults(Path outDir) {
        this.outDir = outDir;
    }

    @Override
    public synchronized void onInterval(IntervalStats stats, IntervalHistograms histograms) {
        if (stats.index() == 0 || writer == null) {
            if (writer != null) {
                writer.close();
            }
            lastDir = outDir.resolve("gui-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern(
                    "yyyyMMdd-HHmmss-SSS")));
            writer = new ResultsWriter(lastDir, Map.of("source", "loadgen gui"));
        }
        writer.onInterval(stats, histograms);
    }

    /**
     * Closes the current run's dir with its summary and report.
     *
     * @return the dir, or {@code null} when no run wrote one
     */
    public synchronized Path finish(RunSummary summary) {
        if (writer == null) {
            return lastDir;
        }
        writer.finish(summary);
        writer = null;
        try {
            HtmlReport.write(lastDir);
        } catch (Exception e) {
            // the data files are written; the report can be rebuilt with `loadgen report`
            LOG.warn("report.html of {} not built ({}); `loadgen report {}` retries", lastDir, e.toString(), lastDir);
        }
        return lastDir;
    }

    /** @return the dir of the current or last run, or {@code null} */
    public synchronized Path lastDir() {
        return lastDir;
    }
}
