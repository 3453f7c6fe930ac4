package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.gui.ControlSource;
import io.loadgen.gui.Dashboard;
import io.loadgen.gui.DesktopUnavailableException;
import io.loadgen.gui.Launcher;
import io.loadgen.rmi.RmiSettings;
import io.loadgen.server.ServerSettings;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loadgen gui [--connect host:port]}: the JavaFX dashboard over a local engine or a remote one. Without a
 * target it starts the bundled server, as the demo does, and drives it with the sample images.
 */
@Command(name = "gui", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open the dashboard: live p99, offered vs achieved, errors and in flight, with controls that"
                + " apply at once. Without --connect it drives a local engine and writes each run to"
                + " outDir/gui-<time>: against --target, or without one, against the bundled server, which it starts"
                + " in a process of its own (as the demo does) and sends the sample images to; its capacity is"
                + " probed first, and the controls start at half of it.",
                "On Linux it needs GTK 3 (Debian: libgtk-3-0) and a display. On a machine without a GPU:"
                        + " LOADGEN_OPTS=-Dprism.order=sw."})
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
                CoreSettings.TRANSPORT_GROUP, CoreSettings.RESULTS_GROUP, RmiSettings.GROUP.only(RmiSettings.RMI_TOKEN),
                ServerSettings.GROUP);
    }

    @Override
    public Integer call() throws Exception {
        Settings cfg = CliSettings.load(spec);
        ControlSource remote = connect != null ? remote(cfg) : null;
        try {
            // before anything is started for it: a machine that cannot show the window says so at once
            Launcher.startToolkit();
            if (remote != null) {
                Launcher.open(remote, null, cfg.get(CoreSettings.RECORD_INTERVAL), Dashboard.Preset.DEFAULT);
                return 0;
            }
            try (LocalDashboard local = LocalDashboard.prepare(cfg, request, spec.commandLine().getOut())) {
                Thread stopOnExit = new Thread(local::close, "loadgen-gui-shutdown");
                Runtime.getRuntime().addShutdownHook(stopOnExit);
                Launcher.open(ControlSource.local(local.engine()), local.results(),
                        cfg.get(CoreSettings.RECORD_INTERVAL), local.preset());
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException exiting) {
                    // the hook is running
                }
            }
            return 0;
        } catch (DesktopUnavailableException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private ControlSource remote(Settings cfg) {
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
        return ControlSource.remote(connect.substring(0, colon), port, cfg.get(RmiSettings.RMI_TOKEN).orElse(null));
    }
}
