package io.loadgen.cli;

import io.loadgen.core.config.LoadGenConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Payload;
import io.loadgen.core.engine.Workload;
import io.loadgen.gui.ControlSource;
import io.loadgen.gui.Launcher;
import io.loadgen.gui.LocalResults;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
public final class GuiCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties file.")
    Path config;

    @Option(names = "--connect", paramLabel = "HOST:PORT", description = "A remote engine (loadgen run --rmi-port).")
    String connect;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The remote engine's shared token.")
    String token;

    @Option(names = "--target", paramLabel = "URL", description = "Target of the local engine.")
    String target;

    @Option(names = "--payload", paramLabel = "FILE|DIR", description = "Request bodies of the local engine.")
    String payload;

    @Override
    public Integer call() {
        Map<String, String> o = new LinkedHashMap<>();
        Configs.put(o, "payload", payload);
        Configs.put(o, "rmiToken", token);
        LoadGenConfig cfg = Configs.load(config, o);
        if (connect != null) {
            int colon = connect.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--connect must be HOST:PORT, got '" + connect + "'");
            }
            int port;
            try {
                port = Integer.parseInt(connect.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--connect must be HOST:PORT, got '" + connect + "'");
            }
            Launcher.open(ControlSource.remote(connect.substring(0, colon), port, cfg.rmiToken().orElse(null)), null,
                    cfg.recordInterval());
            return 0;
        }
        URI uri = target != null ? URI.create(target) : cfg.imageClassifyBaseUrl();
        Workload.Builder wb = Workload.builder(uri).seed(cfg.seed());
        if (cfg.payload().isPresent()) {
            wb.payloads(Payload.read(cfg.payload().get(), null));
        } else if (target == null) {
            wb.payloads(DemoCommand.samples());
        }
        LocalResults results = new LocalResults(cfg.outDir());
        LoadGenerator engine = LoadGenerator.builder(wb.build()).transport(cfg.transportConfig())
                .engine(cfg.engineConfig()).plan(cfg.runPlan()).listener(results).build();
        Launcher.open(ControlSource.local(engine), results, cfg.recordInterval());
        engine.stop();
        return 0;
    }
}
