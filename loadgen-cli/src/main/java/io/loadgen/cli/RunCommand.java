package io.loadgen.cli;

import io.loadgen.config.ChronoDurations;
import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.Assertion;
import io.loadgen.config.UsageException;
import io.loadgen.core.engine.Concurrency;
import io.loadgen.core.report.HtmlReport;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.search.ConcurrencySweep;
import io.loadgen.core.search.SweepFile;
import java.nio.file.Files;
import java.time.Duration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import io.loadgen.prometheus.MetricsEndpoint;
import io.loadgen.prometheus.MetricsSettings;
import io.loadgen.rmi.RmiSettings;
import picocli.CommandLine.Option;

/** {@code loadgen run}: drives a target open-loop and writes a results dir. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drive a target URL open-loop at a rate or profile; print a live line each interval and write"
                + " a results dir (summary.json, timeline.csv, latency.hlog, report.html).",
                "Flags override LOADGEN_* environment variables, which override the configuration file.",
                "Exit code: 0 ok, 1 an assertion failed, 2 bad flags or configuration, 3 the run could not be made."})
public final class RunCommand implements Callable<Integer>, UsesSettings {
    /** The groups whose flags run takes. */
    static final List<SettingGroup> GROUPS = List.of(CoreSettings.TARGET_GROUP, CoreSettings.SCHEDULE_GROUP,
            CoreSettings.ENGINE_GROUP, CoreSettings.TRANSPORT_GROUP, CoreSettings.RESULTS_GROUP,
            RmiSettings.GROUP.only(RmiSettings.RMI_PORT, RmiSettings.RMI_TOKEN, RmiSettings.RMI_TLS_KEYSTORE),
            MetricsSettings.GROUP);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    WorkloadOptions request = new WorkloadOptions();

    @Option(names = "--rmi-bind", paramLabel = "ADDR", description = "Address the RMI port listens on (default"
            + " 127.0.0.1: this machine only).")
    String rmiBind;

    @Option(names = "--idle", description = "Do not start: wait for a remote controller's start (serves RMI on"
            + " --rmi-port, default rmiPort).")
    boolean idle;

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: outDir/run-<time>).")
    Path out;

    @Option(names = "--assert", paramLabel = "EXPR", description = "Checked at the end; a failure exits 1:"
            + " 'p99<50ms', 'errors<1%%', 'dropped<0.1%%', 'achieved>99%%', 'valid' (the generator's verdict)."
            + " Repeatable.")
    List<String> assertions = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "No live line.")
    boolean quiet;

    @Option(names = "--agents", paramLabel = "HOST:PORT", split = ",", description = "Run over these load agents"
            + " (`loadgen agent`) instead of here: each gets its share of the load (Poisson: the rate split, each"
            + " with its own seed; constant: interleaved slices; closed loop: the sessions split), all start at one"
            + " instant after their clock offsets are measured, and their intervals merge exactly into this run's"
            + " results (plus agents/<id>/). Live changes (ctl, gui --connect with --rmi-port) reach every agent.")
    List<String> agents = new ArrayList<>();

    @Option(names = "--agent-weights", paramLabel = "W,W,...", split = ",", description = "With --agents: each"
            + " agent's weight, the share of the load it takes (default 1 each).")
    List<Integer> agentWeights = new ArrayList<>();

    @Option(names = "--on-agent-loss", paramLabel = "abort|continue", defaultValue = "abort", description = "With"
            + " --agents: an agent silent for two intervals is lost; its share is not re-spread over the others."
            + " abort (default) ends the run, continue goes on without it; either way the run exits 3 and keeps"
            + " every result received.")
    String onAgentLoss = "abort";

    @Option(names = "--agent-lead", paramLabel = "DUR", defaultValue = "5s", description = "With --agents: how far"
            + " ahead the common start is, time for every agent to get ready (self-warm, connections). Default 5s.")
    String agentLead = "5s";

    @Option(names = "--agent-tls", description = "With --agents: the agents serve over TLS (their certificates must"
            + " be in this JVM's trust store, -Djavax.net.ssl.trustStore=...).")
    boolean agentTls;

    @Option(names = "--agent-lease", paramLabel = "DUR", description = "With --agents: how long an agent keeps its"
            + " load going without hearing from this coordinator (default 3 intervals, at least 3s).")
    String agentLease;

    @Override
    public List<SettingGroup> settingGroups() {
        return GROUPS;
    }

    /** The groups whose values travel to agents, as flags. */
    private static final List<SettingGroup> AGENT_GROUPS = List.of(CoreSettings.TARGET_GROUP,
            CoreSettings.SCHEDULE_GROUP, CoreSettings.ENGINE_GROUP, CoreSettings.TRANSPORT_GROUP);

    /**
     * @param args the {@code loadgen run} flags a coordinator sent
     * @return the generator of an agent's share of the run: the workload, transport and engine those flags make
     *     (under the agent's own environment and configuration file), without a plan of its own
     * @throws io.loadgen.config.UsageException for flags that do not make a run
     */
    static AgentRun agentGenerator(List<String> args) {
        CommandLine cl = Main.commandLine();
        List<String> all = new ArrayList<>();
        all.add("run");
        all.addAll(args);
        try {
            cl.parseArgs(all.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage(), e);
        }
        CommandLine run = cl.getSubcommands().get("run");
        RunCommand r = run.getCommand();
        Settings cfg = CliSettings.load(run.getCommandSpec());
        return new AgentRun(LoadGenerator.builder(r.request.workload(cfg, List.of()))
                .transport(TransportConfig.from(cfg)).engine(EngineConfig.from(cfg)).plan(RunPlan.from(cfg)).build(),
                cfg.get(MetricsSettings.RUN_NAME).orElse("run"));
    }

    /**
     * An agent's share of a run, as {@link #agentGenerator} makes it.
     *
     * @param generator its generator
     * @param name the run's name, as the coordinator gave it ({@code --run-name}), for its metrics
     */
    record AgentRun(LoadGenerator generator, String name) {
    }

    /**
     * @param runName the run's name, which every agent's metrics carry
     * @return the flags that make this run's workload on an agent: the settings not left at their default, the run's
     *     name, then the request flags
     */
    private List<String> agentArgs(Settings cfg, String runName) {
        List<String> a = new ArrayList<>();
        a.add(MetricsSettings.RUN_NAME.flags().get(0) + "=" + runName);
        for (SettingGroup g : AGENT_GROUPS) {
            for (io.loadgen.config.Setting<?> st : g.settings()) {
                // the interval and the warm-up always: every agent's intervals must be the coordinator's, whatever
                // the agent's own environment or configuration file says
                boolean always = st == CoreSettings.RECORD_INTERVAL || st == CoreSettings.WARMUP;
                if ((always || !cfg.source(st).equals("default")) && !st.flags().isEmpty()) {
                    a.add(st.flags().get(0) + "=" + format(st, cfg));
                }
            }
        }
        a.addAll(request.toArgs());
        return a;
    }

    @SuppressWarnings("unchecked")
    private static <T> String format(io.loadgen.config.Setting<T> st, Settings cfg) {
        return st.format(cfg.get(st));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings cfg = CliSettings.load(spec);
        List<Assertion> checks = assertions.stream().map(Assertion::parse).toList();

        if (!agents.isEmpty()) {
            return fleet(cfg, checks, out, err);
        }
        Workload workload = request.workload(cfg, List.of());
        TransportConfig transport = TransportConfig.from(cfg);
        EngineConfig engine = EngineConfig.from(cfg);
        RunPlan plan = RunPlan.from(cfg);
        Path dir = this.out != null ? this.out
                : cfg.get(CoreSettings.OUT_DIR).resolve("run-" + LocalDateTime.now().format(
                        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

        if (cfg.get(CoreSettings.CONCURRENCY).isSweep()) {
            if (!checks.isEmpty()) {
                throw new UsageException("--assert applies to one run, not to a sweep (--concurrency "
                        + cfg.get(CoreSettings.CONCURRENCY).format() + ")");
            }
            return sweep(cfg, workload, transport, engine, dir, out);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("payloads", Integer.toString(workload.payloads().size()));
        request.described().ifPresent(d -> settings.put("request", d));
        settings.putAll(cfg.echo(GROUPS));
        ResultsWriter results = new ResultsWriter(dir, settings);
        LoadGenerator generator = LoadGenerator.builder(workload).transport(transport).engine(engine).plan(plan)
                .listener(results).build();
        if (!quiet) {
            generator.addListener(new LiveLine(System.out, plan.length().orElse(null)));
        }
        Optional<MetricsEndpoint> metrics = PrometheusEndpoint.serve(cfg, runName(cfg, dir), "local",
                generator::addListener, out);

        out.printf("loadgen run: %s, %s arrivals, profile %s, %s; results in %s%n", workload,
                plan.arrival().name().toLowerCase(java.util.Locale.ROOT), plan.profile().spec(),
                plan.length().map(d -> "for " + ChronoDurations.format(d)).orElse("until Ctrl-C"), dir);
        request.described().ifPresent(d -> out.printf("  request: %s%n", d));
        out.flush();
        io.loadgen.rmi.RmiExporter exporter = null;
        boolean remote = idle || cfg.source(RmiSettings.RMI_PORT).startsWith("flag");
        if (remote) {
            exporter = serveControl(generator, cfg, rmiBind, out, idle ? " (idle: waiting for a remote start)" : "");
        }
        RunSummary summary;
        try {
            summary = new ResultsRun(generator, results, out).execute(!idle);
        } finally {
            if (exporter != null) {
                exporter.close();
            }
            PrometheusEndpoint.closeAfterLinger(metrics, cfg, out);
        }

        int code = 0;
        if (summary.state().startsWith("failed")) {
            err.println("loadgen: the run " + summary.state() + " (its results, up to then, are written)");
            code = Main.EXIT_FAILED;
        }
        if (summary.closedLoop()) {
            out.println("closed loop: latency is measured from each request's actual send (there is no intended"
                    + " time)");
        }
        for (Assertion a : checks) {
            boolean ok = a.holds(summary);
            (ok ? out : err).println((ok ? "assertion passed: " : "ASSERTION FAILED: ") + a.describe(summary));
            if (!ok && code == 0) {
                code = Main.EXIT_ASSERTION_FAILED;
            }
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Serves a {@code LoadControl} over RMI on {@code rmiPort} (loopback unless {@code --rmi-bind}, with the token and
     * TLS of the settings) and says where.
     *
     * @param what says what follows the address, e.g. {@code " (the whole fleet)"}
     * @return the exporter, to close at the end
     */
    static io.loadgen.rmi.RmiExporter serveControl(io.loadgen.core.control.LoadControl control, Settings cfg,
            String rmiBind, PrintWriter out, String what) throws java.io.IOException {
        java.net.InetAddress bind = rmiBind == null ? java.net.InetAddress.getLoopbackAddress()
                : java.net.InetAddress.getByName(rmiBind);
        io.loadgen.rmi.RmiExporter exporter = io.loadgen.rmi.RmiExporter.export(control, cfg.get(RmiSettings.RMI_PORT),
                bind, cfg.get(RmiSettings.RMI_TOKEN).orElse(null), cfg.get(RmiSettings.RMI_TLS_KEYSTORE)
                        .map(k -> new io.loadgen.rmi.RmiExporter.Tls(k, cfg.get(RmiSettings.RMI_TLS_PASSWORD)))
                        .orElse(null));
        out.printf("remote control: rmi://%s:%d/%s%s%s%n", bind.getHostAddress(), exporter.port(),
                io.loadgen.rmi.RemoteLoadControl.NAME, cfg.get(RmiSettings.RMI_TLS_KEYSTORE).isPresent()
                        ? " over TLS" : "", what);
        out.flush();
        return exporter;
    }

    /** The run over agents: a coordinator in this process, the load on the agents. */
    private int fleet(Settings cfg, List<Assertion> checks, PrintWriter out, PrintWriter err) throws Exception {
        if (idle) {
            throw new UsageException("--idle waits for a remote start of this process's run; with --agents, serve"
                    + " the coordinator with --rmi-port and start it here");
        }
        if (cfg.get(CoreSettings.CONCURRENCY).isSweep()) {
            throw new UsageException("--agents runs one level of --concurrency, not a sweep");
        }
        List<io.loadgen.rmi.fleet.AgentEndpoint> endpoints = new ArrayList<>();
        for (String a : agents) {
            try {
                endpoints.add(io.loadgen.rmi.fleet.AgentEndpoint.parse(a));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--agents: " + e.getMessage());
            }
        }
        io.loadgen.rmi.fleet.OnAgentLoss onLoss = switch (onAgentLoss) {
            case "abort" -> io.loadgen.rmi.fleet.OnAgentLoss.ABORT;
            case "continue" -> io.loadgen.rmi.fleet.OnAgentLoss.CONTINUE;
            default -> throw new UsageException("--on-agent-loss must be abort or continue, got " + onAgentLoss);
        };
        EngineConfig engine = EngineConfig.from(cfg);
        Path dir = this.out != null ? this.out
                : cfg.get(CoreSettings.OUT_DIR).resolve("run-" + LocalDateTime.now().format(
                        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        io.loadgen.rmi.fleet.CoordinatorConfig.Builder cb = io.loadgen.rmi.fleet.CoordinatorConfig.builder(
                endpoints, agentArgs(cfg, runName(cfg, dir)), cfg.get(CoreSettings.TARGET).toString(),
                engine.recordInterval())
                .windowSize(engine.windowSize()).onLoss(onLoss).token(cfg.get(RmiSettings.RMI_TOKEN))
                .lead(duration("--agent-lead", agentLead)).tls(agentTls);
        if (!agentWeights.isEmpty()) {
            cb.weights(agentWeights);
        }
        if (agentLease != null) {
            cb.lease(duration("--agent-lease", agentLease));
        }
        io.loadgen.rmi.fleet.CoordinatorConfig config;
        try {
            config = cb.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        RunPlan plan = RunPlan.from(cfg);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("agents", String.join(",", agents));
        settings.putAll(cfg.echo(GROUPS));
        return new FleetRun(config, plan, dir, settings, quiet, out, err).execute(checks, cfg, rmiBind);
    }

    /** @return the run's name in its metrics: {@code --run-name}, else its results dir's name */
    static String runName(Settings cfg, Path dir) {
        return cfg.get(MetricsSettings.RUN_NAME).orElse(dir.toAbsolutePath().normalize().getFileName().toString());
    }

    private static Duration duration(String flag, String text) {
        try {
            return io.loadgen.config.ChronoDurations.parse(text, "s");
        } catch (RuntimeException e) {
            throw new UsageException(flag + " must be a duration such as 5s or 500ms, got '" + text + "'");
        }
    }

    /** The closed-loop sweep: one trial per level, a table, sweep.json and report.html. */
    private static int sweep(Settings cfg, Workload workload, TransportConfig transport, EngineConfig engine, Path dir,
            PrintWriter out) throws Exception {
        Concurrency levels = cfg.get(CoreSettings.CONCURRENCY);
        Duration maxTrial = cfg.get(CoreSettings.DURATION).orElse(SWEEP_MAX_TRIAL);
        ConcurrencySweep.Config sc = new ConcurrencySweep.Config(levels.levels(), cfg.get(CoreSettings.THINK_TIME),
                engine.recordInterval(), maxTrial.compareTo(SWEEP_MIN_TRIAL) < 0 ? maxTrial : SWEEP_MIN_TRIAL,
                maxTrial, 3, 0.1);
        Files.createDirectories(dir);
        out.printf("loadgen sweep: %s, closed loop at %s sessions, think time %s; each level until its last 3"
                + " windows agree (at most %s); results in %s%n", workload, levels.format(),
                ChronoDurations.format(sc.thinkTime()), ChronoDurations.format(maxTrial), dir);
        out.printf("%10s %12s %10s %10s %10s %9s %8s  %s%n", "sessions", "achieved/s", "p50", "p90", "p99",
                "errors", "stable", "generator");
        out.flush();
        List<ConcurrencySweep.Level> result = new ConcurrencySweep(workload, transport, engine, sc, l -> {
            out.printf(java.util.Locale.ROOT, "%10d %12.1f %10s %10s %10s %8.2f%% %8s  %s%n", l.concurrency(),
                    l.achievedRate(), ChronoDurations.format(l.latency().p50()),
                    ChronoDurations.format(l.latency().p90()), ChronoDurations.format(l.latency().p99()),
                    100 * l.errorRatio(), l.stable() ? "yes" : "no", l.verdict().describe());
            out.flush();
        }).run();
        SweepFile.of(workload.target().toString(), sc, result).write(dir.resolve(SweepFile.FILE));
        out.println("latency is from each request's actual send: a closed loop has no intended time");
        out.println("results: " + dir.toAbsolutePath().resolve(SweepFile.FILE));
        out.println("report: " + HtmlReport.write(dir).toAbsolutePath());
        out.flush();
        return 0;
    }

    /** The longest trial of a sweep level when no --duration is given. */
    static final Duration SWEEP_MAX_TRIAL = Duration.ofSeconds(30);
    /** The shortest trial of a sweep level. */
    static final Duration SWEEP_MIN_TRIAL = Duration.ofSeconds(5);
}
