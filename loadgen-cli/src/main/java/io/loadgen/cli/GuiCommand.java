package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Workload;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.gui.ControlSource;
import io.loadgen.gui.Launcher;
import io.loadgen.gui.LocalResults;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen gui [--connect host:port]}: the JavaFX dashboard over a local engine or a remote one. */
@Command(name = "gui", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open the dashboard: live p99, offered vs achieved, errors and in flight, with controls that"
                + " apply at once. Without --connect it drives a local engine against --target (default:"
                + " imageClassifyBaseURL) and writes each run to outDir/gui-<time>.",
                "On a machine without a GPU: LOADGEN_OPTS=-Dprism.order=sw."})
public final class GuiCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    WorkloadOptions request = new WorkloadOptions();

    @Option(names = "--connect", paramLabel = "HOST:PORT", description = "A remote engine (loadgen run --rmi-port).")
    String connect;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(CoreSettings.TARGET_GROUP, CoreSettings.SCHEDULE_GROUP, CoreSettings.ENGINE_GROUP,
                CoreSettings.TRANSPORT_GROUP, CoreSettings.RESULTS_GROUP, RmiSettings.GROUP.only(RmiSettings.RMI_TOKEN));
    }

    @Override
    public Integer call() {
        Settings cfg = CliSettings.load(spec);
        if (connect != null) {
            int colon = connect.lastIndexOf(':');
            int port = -1;
            try {
                port = colon <= 0 ? -1 : Integer.parseInt(connect.substring(colon + 1));
            } catch (NumberFormatException e) {
                // reported below
            }
            if (port < 0 || port > 65535) {
                throw new UsageException("--connect must be HOST:PORT, got '" + connect + "'");
            }
            Launcher.open(ControlSource.remote(connect.substring(0, colon), port,
                    cfg.get(RmiSettings.RMI_TOKEN).orElse(null)), null, cfg.get(CoreSettings.RECORD_INTERVAL));
            return 0;
        }
        boolean ownTarget = !cfg.source(CoreSettings.TARGET).equals("default");
        Workload workload = request.workload(cfg, ownTarget ? List.of() : DemoCommand.samples());
        LocalResults results = new LocalResults(cfg.get(CoreSettings.OUT_DIR));
        LoadGenerator engine = LoadGenerator.builder(workload).transport(TransportConfig.from(cfg))
                .engine(EngineConfig.from(cfg)).plan(RunPlan.from(cfg)).listener(results).build();
        Launcher.open(ControlSource.local(engine), results, cfg.get(CoreSettings.RECORD_INTERVAL));
        engine.stop();
        return 0;
    }
}
