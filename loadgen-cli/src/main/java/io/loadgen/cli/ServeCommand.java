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

    /**
     * Set by a parent that started this server as its child ({@link ServerProcess}): the server stops, as on SIGTERM,
     * when its standard input reaches its end, which happens when the parent exits, however it exits (even killed).
     */
    @CommandLine.Option(names = "--stop-with-parent", hidden = true)
    boolean stopWithParent;

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
        if (stopWithParent) {
            // Ctrl-C in a terminal reaches the whole process group: the parent stops its run first, then this server
            ignoreInterrupt();
            Thread watch = new Thread(ServeCommand::exitAtEndOfInput, "serve-parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
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

    /** Reads standard input to its end (the parent's end of the pipe closed), then exits through the shutdown hook. */
    /**
     * Ignores SIGINT (Ctrl-C reaches the whole process group; the parent stops this server after its run). Through
     * reflection, because {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way and javac warns of
     * it whatever {@code @SuppressWarnings} says; where it is missing, Ctrl-C stops the server at once, as without
     * {@code --stop-with-parent}.
     */
    private static void ignoreInterrupt() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            signal.getMethod("handle", signal, handler).invoke(null,
                    signal.getConstructor(String.class).newInstance("INT"), handler.getField("SIG_IGN").get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("loadgen serve: Ctrl-C is not ignored (" + e + "); the server stops with it");
        }
    }

    private static void exitAtEndOfInput() {
        try {
            while (System.in.read() >= 0) {
                // a parent writes nothing: its pipe only tells, by closing, that the parent has gone
            }
        } catch (java.io.IOException closed) {
            // an error reading the pipe is its end too
        }
        System.exit(0);
    }
}
