package io.loadgen.cli;

import io.loadgen.config.Settings;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.Assertion;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.report.SummaryFile;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.rmi.fleet.Coordinator;
import io.loadgen.rmi.fleet.CoordinatorConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code loadgen run --agents}: a {@link Coordinator} in this process drives the agents; the merged intervals go to
 * this run's results dir as one engine's would, each agent's own to {@code agents/<id>/}. Ctrl-C or SIGTERM stops
 * every agent and still writes the results. Exit code 3 when an agent was lost.
 */
final class FleetRun {
    private final CoordinatorConfig config;
    private final RunPlan plan;
    private final Path dir;
    private final Map<String, String> settings;
    private final boolean quiet;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, ResultsWriter> agentWriters = new ConcurrentHashMap<>();

    FleetRun(CoordinatorConfig config, RunPlan plan, Path dir, Map<String, String> settings, boolean quiet,
            PrintWriter out, PrintWriter err) {
        this.config = config;
        this.plan = plan;
        this.dir = dir;
        this.settings = settings;
        this.quiet = quiet;
        this.out = out;
        this.err = err;
    }

    int execute(List<Assertion> checks, Settings cfg, String rmiBind) throws Exception {
        Coordinator coordinator;
        try {
            coordinator = Coordinator.connect(config);
        } catch (IllegalStateException e) {
            throw new io.loadgen.rmi.RemoteControlException(e.getMessage(), e);
        }
        ResultsWriter results = new ResultsWriter(dir, settings);
        coordinator.addListener(results);
        coordinator.addAgentListener(this::agentInterval);
        if (!quiet) {
            coordinator.addListener(new LiveLine(System.out, plan.length().orElse(null)));
        }
        out.printf("loadgen run over %d agents (%s): %s, %s, results in %s%n", config.agents().size(),
                String.join(", ", coordinator.agentIds()), config.target(), plan.isClosedLoop() ? plan.concurrency()
                        + " sessions" : plan.profile().spec() + " " + plan.arrival().name().toLowerCase(
                                java.util.Locale.ROOT), dir);
        io.loadgen.rmi.RmiExporter exporter = null;
        if (cfg.source(RmiSettings.RMI_PORT).startsWith("flag")) {
            exporter = RunCommand.serveControl(coordinator, cfg, rmiBind, out, " (the whole fleet)");
        }
        // the merge of every agent's intervals: agent="all"; each agent serves its own share on its own endpoint
        java.util.Optional<io.loadgen.prometheus.MetricsEndpoint> metrics = PrometheusEndpoint.serve(cfg,
                RunCommand.runName(cfg, dir), "all", coordinator::addListener, out);
        out.flush();
        // Ctrl-C or SIGTERM: the hook stops every agent and writes the results before the JVM halts
        Thread hook = new Thread(() -> {
            coordinator.stop();
            finishOnce(coordinator, results);
        }, "loadgen-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        RunSummary summary;
        try {
            coordinator.start(plan);
            coordinator.awaitEnd(Duration.ofNanos(Long.MAX_VALUE));
            summary = finishOnce(coordinator, results);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs: it stops the agents
            }
            if (exporter != null) {
                exporter.close();
            }
            PrometheusEndpoint.closeAfterLinger(metrics, cfg, out);
            coordinator.close();
        }
        int code = 0;
        for (Assertion a : checks) {
            boolean ok = a.holds(summary);
            (ok ? out : err).println((ok ? "assertion passed: " : "ASSERTION FAILED: ") + a.describe(summary));
            if (!ok) {
                code = Main.EXIT_ASSERTION_FAILED;
            }
        }
        if (coordinator.lostAnAgent()) {
            err.println("loadgen: an agent was lost (see the summary's agents): exit 3");
            code = Main.EXIT_FAILED;
        } else if (coordinator.anAgentFailed() || !List.of("completed", "stopped").contains(summary.state())) {
            err.println("loadgen: the run ended '" + summary.state() + "'" + (String.join(" ", summary.verdict()
                    .reasons()).contains("lead time") ? " (--agent-lead)" : "") + ": exit 3");
            code = Main.EXIT_FAILED;
        }
        out.flush();
        err.flush();
        return code;
    }

    private RunSummary finished;

    /** Writes the results once, from the main thread at the end or from the shutdown hook, whichever comes first. */
    private synchronized RunSummary finishOnce(Coordinator coordinator, ResultsWriter results) {
        if (finished == null) {
            RunSummary s = coordinator.summary();
            if (s == null) {
                return null; // stopped before any run started: nothing to write
            }
            writeResults(coordinator, results, s);
            finished = s;
        }
        return finished;
    }

    private void agentInterval(String agent, IntervalStats s, IntervalHistograms h) {
        agentWriters.computeIfAbsent(agent, a -> new ResultsWriter(dir.resolve("agents").resolve(safe(a)),
                settings)).onInterval(s, h);
    }

    private static String safe(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private void writeResults(Coordinator coordinator, ResultsWriter results, RunSummary summary) {
        List<SummaryFile.AgentEntry> entries = new ArrayList<>();
        for (Coordinator.AgentReport a : coordinator.agents()) {
            entries.add(SummaryFile.AgentEntry.of(a.id(), a.address(), a.state(), a.share(), a.clockOffset(),
                    a.clockUncertainty(), a.lostAtInterval().orElse(null), a.reason().orElse(null), a.summary()));
            ResultsWriter w = agentWriters.computeIfAbsent(a.id(), x -> new ResultsWriter(dir.resolve("agents")
                    .resolve(safe(x)), settings));
            w.finish(a.summary());
        }
        Path file = results.finish(summary, entries);
        out.print(SummaryTable.format(summary));
        for (SummaryFile.AgentEntry e : entries) {
            out.printf(java.util.Locale.ROOT, "  agent %-20s %-6s %-18s sent %d, completed %d, p99 %.2f ms%s%n",
                    e.id(), e.state(), e.share(), e.sent(), e.completed(), e.latencyMs().p99(),
                    e.reason() == null ? "" : " (" + e.reason() + ")");
        }
        ResultsRun.printWhere(file, out);
    }
}
