package io.loadgen.cli;

import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.HtmlReport;
import io.loadgen.core.report.ResultsWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a generator that writes a results dir, so that Ctrl-C or SIGTERM still ends the run cleanly: a shutdown hook
 * stops it, writes {@code summary.json} and prints the summary, once, whichever comes first.
 */
final class ResultsRun {
    private final LoadGenerator generator;
    private final ResultsWriter results;
    private final PrintWriter out;
    private final java.util.function.Consumer<RunSummary> afterRun;
    private RunSummary finalSummary;

    ResultsRun(LoadGenerator generator, ResultsWriter results, PrintWriter out) {
        this(generator, results, out, s -> { });
    }

    /**
     * @param afterRun called once the run has ended (also on Ctrl-C), after its summary is printed and before the
     *     report is built: it may print more and write more files into the results dir for the report to show
     */
    ResultsRun(LoadGenerator generator, ResultsWriter results, PrintWriter out,
            java.util.function.Consumer<RunSummary> afterRun) {
        this.generator = generator;
        this.results = results;
        this.out = out;
        this.afterRun = afterRun;
    }

    /** Starts the run, waits for its end (or a signal), and returns its summary. */
    RunSummary execute() throws InterruptedException {
        return execute(true);
    }

    /**
     * Waits for the run's end (or a signal) and returns its summary.
     *
     * @param start whether to start the run here; false when a remote controller starts it
     */
    RunSummary execute(boolean start) throws InterruptedException {
        Thread hook = new Thread(() -> finish("interrupted"), "loadgen-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (start) {
            generator.start();
        } else {
            while (generator.status().state() == io.loadgen.core.control.RunState.IDLE) {
                Thread.sleep(50);
            }
        }
        generator.awaitEnd(Duration.ofNanos(Long.MAX_VALUE));
        RunSummary summary = finish("stopped");
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing to remove
        }
        return summary;
    }

    /** Stops the run (if it still goes on), writes summary.json and prints the summary, once. */
    private synchronized RunSummary finish(String reason) {
        if (finalSummary != null) {
            return finalSummary;
        }
        generator.stop(reason);
        RunSummary s = generator.summary();
        Path file = results.finish(s);
        out.print(SummaryTable.format(s));
        try {
            afterRun.accept(s);
        } catch (RuntimeException e) {
            out.println("loadgen: after the run: " + e); // the run's own files are written: keep going
        }
        printWhere(file, out);
        finalSummary = s;
        return s;
    }

    /** Builds report.html beside {@code summary.json} and prints where the results are. */
    static void printWhere(Path summaryFile, PrintWriter out) {
        out.println("results: " + summaryFile.getParent().toAbsolutePath());
        try {
            out.println("report: " + HtmlReport.write(summaryFile.getParent()).toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            // a report that cannot be built never fails the run: its data files are written already
            out.println("report: not built (" + e + "); `loadgen report " + summaryFile.getParent() + "` retries");
        }
        out.flush();
    }
}
