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
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
            RmiSettings.GROUP.only(RmiSettings.RMI_PORT, RmiSettings.RMI_TOKEN, RmiSettings.RMI_TLS_KEYSTORE));

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

    @Override
    public List<SettingGroup> settingGroups() {
        return GROUPS;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings cfg = CliSettings.load(spec);
        List<Assertion> checks = assertions.stream().map(Assertion::parse).toList();

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

        out.printf("loadgen run: %s, %s arrivals, profile %s, %s; results in %s%n", workload,
                plan.arrival().name().toLowerCase(java.util.Locale.ROOT), plan.profile().spec(),
                plan.length().map(d -> "for " + ChronoDurations.format(d)).orElse("until Ctrl-C"), dir);
        request.described().ifPresent(d -> out.printf("  request: %s%n", d));
        out.flush();
        io.loadgen.rmi.RmiExporter exporter = null;
        boolean remote = idle || cfg.source(RmiSettings.RMI_PORT).startsWith("flag");
        if (remote) {
            java.net.InetAddress bind = rmiBind == null ? java.net.InetAddress.getLoopbackAddress()
                    : java.net.InetAddress.getByName(rmiBind);
            exporter = io.loadgen.rmi.RmiExporter.export(generator, cfg.get(RmiSettings.RMI_PORT), bind,
                    cfg.get(RmiSettings.RMI_TOKEN).orElse(null), cfg.get(RmiSettings.RMI_TLS_KEYSTORE)
                            .map(k -> new io.loadgen.rmi.RmiExporter.Tls(k, cfg.get(RmiSettings.RMI_TLS_PASSWORD)))
                            .orElse(null));
            out.printf("remote control: rmi://%s:%d/%s%s%s%n", bind.getHostAddress(), exporter.port(),
                    io.loadgen.rmi.RemoteLoadControl.NAME, cfg.get(RmiSettings.RMI_TLS_KEYSTORE).isPresent()
                            ? " over TLS" : "",
                    idle ? " (idle: waiting for a remote start)" : "");
            out.flush();
        }
        RunSummary summary;
        try {
            summary = new ResultsRun(generator, results, out).execute(!idle);
        } finally {
            if (exporter != null) {
                exporter.close();
            }
        }

        int code = 0;
        if (summary.closedLoop()) {
            out.println("closed loop: latency is measured from each request's actual send (there is no intended"
                    + " time)");
        }
        for (Assertion a : checks) {
            boolean ok = a.holds(summary);
            (ok ? out : err).println((ok ? "assertion passed: " : "ASSERTION FAILED: ") + a.describe(summary));
            if (!ok) {
                code = Main.EXIT_ASSERTION_FAILED;
            }
        }
        out.flush();
        err.flush();
        return code;
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
