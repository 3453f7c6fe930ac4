package io.loadgen.cli;

import io.loadgen.config.Settings;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.control.RunState;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.gui.Dashboard;
import io.loadgen.gui.LocalResults;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code loadgen gui} drives without {@code --connect}: a local engine against the user's target or, when the
 * user gave none, against the bundled server, which it starts as the demo does (a process of its own on its share of
 * the processors, {@link ServerProcess}) and sends the sample images to (POST, as the server wants them). Its capacity
 * is probed first, so that the controls start at half of it, on a slider up to twice it: Start gives answers, and the
 * slider reaches past the knee.
 *
 * <p>Not thread-safe: made, used and closed by the command's thread.
 */
final class LocalDashboard implements AutoCloseable {
    private final LoadGenerator engine;
    private final LocalResults results;
    private final Dashboard.Preset preset;
    private final Optional<ServerProcess> server;

    private LocalDashboard(LoadGenerator engine, LocalResults results, Dashboard.Preset preset,
            Optional<ServerProcess> server) {
        this.engine = engine;
        this.results = results;
        this.preset = preset;
        this.server = server;
    }

    /**
     * @param cfg the settings
     * @param request the request flags
     * @param out where to say what is going on
     * @return the engine, ready to be started from the dashboard
     * @throws IOException if the bundled server cannot be started
     * @throws InterruptedException if interrupted while it starts
     */
    static LocalDashboard prepare(Settings cfg, WorkloadOptions request, PrintWriter out)
            throws IOException, InterruptedException {
        EngineConfig engineConfig = EngineConfig.from(cfg);
        LocalResults results = new LocalResults(cfg.get(CoreSettings.OUT_DIR));
        if (!drivesBundledServer(cfg)) {
            Workload workload = request.workload(cfg, List.of());
            double rate = cfg.get(CoreSettings.RATE);
            LoadGenerator engine = LoadGenerator.builder(workload).transport(TransportConfig.from(cfg))
                    .engine(engineConfig).plan(RunPlan.from(cfg)).listener(results).build();
            return new LocalDashboard(engine, results, new Dashboard.Preset(rate, Math.max(1000, 2 * rate),
                    Optional.empty()), Optional.empty());
        }
        Path dir = cfg.get(CoreSettings.OUT_DIR).resolve("gui-server-" + LocalDateTime.now().format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        out.println("loadgen gui: no --target: starting the bundled server in a process of its own (its log: "
                + dir.resolve("server.log") + ") ...");
        out.flush();
        ServerProcess server = ServerProcess.start(cfg, dir, out);
        try {
            URI target = server.baseUri().resolve("/v1/classify");
            double capacity = DemoCommand.probe(Workload.builder(target).payloads(DemoCommand.samples()).build());
            Workload workload = request.workload(cfg, target, DemoCommand.samples());
            boolean userRate = userGave(cfg, CoreSettings.RATE);
            double rate = userRate ? cfg.get(CoreSettings.RATE) : Math.max(1, Math.round(capacity / 2));
            double top = sliderTop(Math.max(2 * capacity, rate));
            String note = String.format(Locale.ROOT, "bundled server at %s, pid %d on %s; capacity probe %.0f"
                    + " classifications/s: Start sends %s/s%s; the slider goes to %s/s", target, server.pid(),
                    server.share().describe(), capacity, trim(rate), userRate ? " (--rate)" : " (half of it)",
                    trim(top));
            out.println(note);
            out.flush();
            RunPlan plan = cfg.get(CoreSettings.PROFILE).isPresent() ? RunPlan.from(cfg)
                    : RunPlan.from(cfg).withProfile(new ConstantRate(rate));
            LoadGenerator engine = LoadGenerator.builder(workload).transport(TransportConfig.from(cfg))
                    .engine(engineConfig).plan(plan).listener(results).build();
            server.stopAfter(engine::awaitEnd);
            return new LocalDashboard(engine, results, new Dashboard.Preset(rate, top, Optional.of(note)),
                    Optional.of(server));
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /**
     * @return whether the dashboard drives the bundled server: the user gave no target (neither a flag nor a
     *     variable, and the settings file has the default), so the default target, the bundled server's classify
     *     endpoint, is the one it starts
     */
    static boolean drivesBundledServer(Settings cfg) {
        return !userGave(cfg, CoreSettings.TARGET)
                && cfg.get(CoreSettings.TARGET).equals(CoreSettings.TARGET.defaultValue());
    }

    private static boolean userGave(Settings cfg, io.loadgen.config.Setting<?> s) {
        String source = cfg.source(s);
        return source.startsWith("flag") || source.startsWith("environment");
    }

    /** @return {@code rate} rounded up to 1, 2 or 5 times a power of ten (twice 64.3 is a slider to 200) */
    static double sliderTop(double rate) {
        double unit = Math.pow(10, Math.floor(Math.log10(Math.max(1, rate))));
        for (int f : new int[] {1, 2, 5, 10}) {
            if (rate <= f * unit) {
                return f * unit;
            }
        }
        return 10 * unit;
    }

    private static String trim(double rate) {
        return rate == Math.rint(rate) ? String.format(Locale.ROOT, "%.0f", rate)
                : String.format(Locale.ROOT, "%.1f", rate);
    }

    LoadGenerator engine() {
        return engine;
    }

    LocalResults results() {
        return results;
    }

    Dashboard.Preset preset() {
        return preset;
    }

    Optional<ServerProcess> server() {
        return server;
    }

    /** Stops a run that goes on and writes its results, then stops the bundled server (if it was started). */
    @Override
    public void close() {
        try {
            if (engine.status().state() != RunState.IDLE) {
                engine.stop();
                Path dir = results.finish(engine.summary());
                if (dir != null) {
                    System.out.println("loadgen gui: results of the last run: " + dir.toAbsolutePath());
                }
            }
        } finally {
            server.ifPresent(ServerProcess::close);
        }
    }
}
