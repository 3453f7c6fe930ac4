package io.loadgen.cli;

import io.loadgen.core.config.LoadGenConfig;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.ModelFactory;
import io.loadgen.server.ServerConfig;
import io.loadgen.server.batching.BatcherConfig;
import io.loadgen.server.model.DefaultModel;
import io.loadgen.server.model.TensorFlowModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loadgen serve}: the bundled image-classification server, until Ctrl-C or SIGTERM (then it drains). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve an image classifier over HTTP (POST /v1/classify, /health/*, /metrics, /v1/models)"
                + " with dynamic batching. Without --model it serves MobileNetV2 with untrained weights, built on"
                + " first use.", "Ctrl-C or SIGTERM stops accepting, finishes accepted requests, then exits."})
public final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file.")
    Path config;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: serverIp, 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port (default: serverPort, 8091; 0: any free).")
    String port;

    @Option(names = "--model", paramLabel = "DIR", description = "SavedModel directory (e.g. a Keras"
            + " model.export()); default: the built-in MobileNetV2.")
    String model;

    @Option(names = "--workers", paramLabel = "N", description = "Model instances, one thread each.")
    String workers;

    @Option(names = "--max-batch", paramLabel = "N", description = "Most images per model run (1: no batching).")
    String maxBatch;

    @Option(names = "--max-delay", paramLabel = "DUR", description = "Longest wait for a batch to fill.")
    String maxDelay;

    @Option(names = "--queue", paramLabel = "N", description = "Requests waiting per priority lane; beyond: 503.")
    String queue;

    @Option(names = "--deadline", paramLabel = "DUR", description = "Deadline of requests without X-Deadline-Ms.")
    String deadline;

    @Option(names = "--intra-op-threads", paramLabel = "N", description = "TensorFlow threads per op and instance"
            + " (0: processors / workers).")
    String intraOp;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LoadGenConfig cfg = Configs.load(config, overrides());
        ServerConfig serverConfig = serverConfig(cfg);
        ModelFactory factory = modelFactory(cfg);
        InferenceServer server = InferenceServer.start(serverConfig, factory);
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
                cfg.model().map(Path::toString).orElse("the built-in MobileNetV2 (untrained)"));
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

    private Map<String, String> overrides() {
        Map<String, String> o = new LinkedHashMap<>();
        Configs.put(o, "serverIp", host);
        Configs.put(o, "serverPort", port);
        Configs.put(o, "model", model);
        Configs.put(o, "workers", workers);
        Configs.put(o, "maxBatch", maxBatch);
        Configs.put(o, "maxDelay", maxDelay);
        Configs.put(o, "queueSize", queue);
        Configs.put(o, "requestDeadline", deadline);
        Configs.put(o, "intraOpThreads", intraOp);
        return o;
    }

    /** @return the server settings of a configuration */
    static ServerConfig serverConfig(LoadGenConfig cfg) {
        return ServerConfig.custom()
                .host(cfg.serverIp())
                .port(cfg.serverPort())
                .batcher(BatcherConfig.custom()
                        .workers(cfg.workers())
                        .maxBatch(cfg.maxBatch())
                        .maxDelay(cfg.maxDelay())
                        .queueCapacity(cfg.queueSize())
                        .defaultDeadline(cfg.requestDeadline())
                        .build())
                .build();
    }

    /** @return a factory of TensorFlow model instances: the configured directory, or the built-in default */
    static ModelFactory modelFactory(LoadGenConfig cfg) {
        int cores = Runtime.getRuntime().availableProcessors();
        int intra = cfg.intraOpThreads() > 0 ? cfg.intraOpThreads() : Math.max(1, cores / cfg.workers());
        TensorFlowModel.Options options = TensorFlowModel.Options.defaults().withThreads(intra, 1);
        Path dir = cfg.model().orElse(null);
        return maxBatch -> {
            Path d = dir != null ? dir : DefaultModel.ensure();
            TensorFlowModel m = TensorFlowModel.load(d, options);
            m.warmUp(maxBatch);
            return m;
        };
    }
}
