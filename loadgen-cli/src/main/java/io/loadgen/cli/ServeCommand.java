package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ServerSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code loadgen serve}: the bundled image-classification server, until Ctrl-C or SIGTERM (then it drains). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve an image classifier over HTTP (POST /v1/classify, /health/*, /metrics, /v1/models)"
                + " with dynamic batching. Without --model it serves MobileNetV2 with untrained weights, built on"
                + " first use.", "Ctrl-C or SIGTERM stops accepting, finishes accepted requests, then exits."})
public final class ServeCommand implements Callable<Integer>, UsesSettings {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(ServerSettings.GROUP);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Settings cfg = CliSettings.load(spec);
        InferenceServer server = InferenceServer.start(ServerSettings.serverConfig(cfg),
                ServerSettings.modelFactory(cfg));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("loadgen serve: stopping: finishing accepted requests ...");
            out.flush();
            server.close();
            out.println("loadgen serve: stopped");
            out.flush();
            stopped.countDown();
        }, "serve-shutdown"));
        out.printf("loadgen serve: listening on %s, loading %s ...%n", server.baseUri(),
                cfg.get(ServerSettings.MODEL).map(Path::toString).orElse("the built-in MobileNetV2 (untrained)"));
        out.flush();
        try {
            if (server.awaitReady(Duration.ofMinutes(10))) {
                out.printf("ready: model %s on %s; POST %s/v1/classify (Ctrl-C to stop)%n", server.modelInfo().name(),
                        server.modelInfo().device(), server.baseUri());
                out.flush();
            }
        } catch (IllegalStateException loadFailed) {
            spec.commandLine().getErr().println("loadgen serve: " + loadFailed.getMessage());
            server.close();
            return Main.EXIT_FAILED;
        }
        stopped.await();
        return 0;
    }
}
