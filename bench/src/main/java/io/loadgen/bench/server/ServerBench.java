package io.loadgen.bench.server;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Outputs;
import io.loadgen.bench.report.ProgressLog;
import io.loadgen.server.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server benchmark: for each max batch size, the in-process throughput of the built-in MobileNetV2
 * ({@link InProcessRunner}, own JVM), model only and the server's pipeline from encoded bytes (decoder + batcher +
 * model), next to the HTTP end-to-end saturation throughput of {@code loadgen serve} with the same settings and
 * decoder ({@link ServeRunner}), driven by {@code loadgen run} at 1.5x the model-only rate ({@link LoadDriver}), and
 * the ratios, one step after the other, never two at once. It prints a markdown report
 * ({@link ServerReport}) and writes it to {@code bench/results/server-<stamp>.md}; raw output goes to
 * {@code bench/target/server-runs/<stamp>/}. Every process is separate, every step is bounded in time, all traffic
 * goes to 127.0.0.1, and every process it started is killed at the end. See bench/README.md.
 */
@Command(name = "bench/server", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The bundled inference server: the model's in-process throughput (model only, and the server's"
                + " pipeline from encoded bytes) next to the HTTP end-to-end saturation throughput of loadgen serve,"
                + " driven by loadgen run, at each max batch size.")
public final class ServerBench implements Callable<Integer> {

    @Option(names = "--quick", description = "smoke run: 5 s timed in process (model only, then pipeline),"
            + " loadgen runs of 8 s with 6 s measured (~100 s)")
    boolean quick;

    @Option(names = "--batches", split = ",", paramLabel = "B", defaultValue = "1,8,32",
            description = "the max batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--factor", paramLabel = "X", defaultValue = "1.5",
            description = "the offered HTTP rate, as a multiple of the in-process model-only images/s (default"
                    + " ${DEFAULT-VALUE})")
    double factor;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "" + ServerSettings.MAX_IN_FLIGHT,
            description = "loadgen run's connections; 0: loadgen's default, sized from the rate (default"
                    + " ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--image-decoder", paramLabel = "D", defaultValue = "tensorflow",
            converter = DecoderConverter.class, completionCandidates = DecoderNames.class,
            description = "what decodes the JPEGs, in the in-process pipeline and in loadgen serve --image-decoder:"
                    + " ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    ImageDecoder.Kind decoder;

    /** {@code tensorflow} or {@code imageio}, in any case. */
    static final class DecoderConverter implements CommandLine.ITypeConverter<ImageDecoder.Kind> {
        @Override
        public ImageDecoder.Kind convert(String value) {
            for (ImageDecoder.Kind k : ImageDecoder.Kind.values()) {
                if (k.name().equalsIgnoreCase(value.trim())) {
                    return k;
                }
            }
            throw new CommandLine.TypeConversionException("one of tensorflow, imageio, got '" + value + "'");
        }
    }

    /** The decoders' names, for the help. */
    static final class DecoderNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Stream.of(ImageDecoder.Kind.values()).map(ServerSettings::decoderName).iterator();
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new ServerBench()).execute(args);
        } finally {
            Proc.killAll();
        }
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        List<Integer> sizes = batches.stream().sorted().distinct().toList();
        if (sizes.isEmpty() || sizes.get(0) < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batches: sizes of at least 1, got "
                    + batches);
        }
        if (!(factor > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--factor must be > 0, got " + factor);
        }
        if (connections < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connections must be >= 0, got "
                    + connections);
        }
        Path cliJar = root.resolve("loadgen-cli/target/loadgen-cli.jar");
        Path images = root.resolve("samples/images");
        if (!Files.isRegularFile(cliJar)) {
            System.err.println("server bench: " + cliJar + " is missing; bench/server builds it");
            return 2;
        }
        if (!Files.isDirectory(images)) {
            System.err.println("server bench: " + images + " is missing");
            return 2;
        }
        ServerSettings settings = ServerSettings.of(quick, factor, connections, decoder);
        ProgressLog log = new ProgressLog();
        Notes notes = new Notes(log);
        Outputs outputs = Outputs.create(root, "server", null);
        EngineBenchWait.await(notes, log);
        String loadStart = Machine.loadAvg();
        log.log("server bench (%s): %d cores, load average %s; batches %s; decoder %s; runs in %s",
                quick ? "quick" : "full", Machine.cores(), loadStart, sizes, settings.decoderName(),
                outputs.rel(outputs.runsDir()));

        InProcessRunner inProcess = new InProcessRunner(settings, images, outputs, notes, log);
        ServeRunner serve = new ServeRunner(settings, cliJar, outputs, notes);
        LoadDriver driver = new LoadDriver(settings, cliJar, images, outputs, notes, log);
        List<InProcessResult> in = new ArrayList<>();
        List<HttpResult> http = new ArrayList<>();
        List<HttpResult> closed = new ArrayList<>();
        for (int b : sizes) {
            InProcessResult ip = inProcess.run(b);
            in.add(ip);
            log.log("in-process max batch %d: model only %.1f images/s, batch %.1f ms mean (p99 %.1f), CPU %.0f%%;"
                    + " pipeline (%s) %.1f images/s, batch mean %.1f, CPU %.0f%%", b, ip.imagesPerS(), ip.batchMs(),
                    ip.batchP99Ms(), ip.cpuPct(), settings.decoderName(), ip.pipelineImagesPerS(),
                    ip.pipelineBatchMean(), ip.pipelineCpuPct());
            HttpResult h;
            HttpResult c;
            if (!ip.ok() || !(ip.imagesPerS() > 0)) {
                notes.add("max batch " + b + ": no HTTP run (the in-process run failed)");
                h = HttpResult.failed(b, null);
                c = HttpResult.failed(b, null);
            } else {
                double rate = Math.max(1, Math.round(ip.imagesPerS() * factor));
                List<HttpResult> both = http(serve, driver, log, b, rate, settings.queue(b));
                c = both.get(0);
                h = both.get(1);
                if (c.valid()) {
                    log.log("HTTP max batch %d, closed loop of %d: ok %.1f/s -> %.0f%% of the in-process pipeline,"
                            + " %.0f%% of the model only", b, settings.queue(b), c.okPerS(), c.pipelineRatioPct(ip),
                            c.modelRatioPct(ip));
                } else {
                    notes.add("max batch " + b + ": no closed-loop HTTP figures (the run failed, see above)");
                }
                if (h.valid()) {
                    log.log("HTTP max batch %d at %.0f/s: ok %.1f/s, 503 %.1f/s, p50/p99 %.0f/%.0f ms", b,
                            h.offered(), h.okPerS(), h.e5xxPerS(), h.p50Ms(), h.p99Ms());
                } else {
                    notes.add("max batch " + b + ": no HTTP figures at 1.5x (the HTTP run failed, see above)");
                }
            }
            closed.add(c);
            http.add(h);
        }
        ServerReport report = new ServerReport(new ServerReport.Meta(quick, LocalDateTime.now(), Machine.cores(),
                loadStart, Machine.loadAvg(), Machine.jvm(), log.elapsedSeconds(), countImages(images), settings), in,
                closed, http, notes.all());
        String md = report.render();
        outputs.publishReport(md);
        return 0;
    }

    /**
     * One HTTP step: the server at this max batch; loadgen against it in a closed loop of {@code concurrency}
     * clients (the in-process pipeline's shape), then open-loop at {@code rate} on the same, warmed server; the
     * server stopped.
     *
     * @return the closed-loop result, then the open-loop one
     */
    private static List<HttpResult> http(ServeRunner serve, LoadDriver driver, ProgressLog log, int batch,
            double rate, int concurrency) throws IOException, InterruptedException {
        try (ServeRunner.Running server = serve.start(batch)) {
            if (server == null) {
                return List.of(HttpResult.failed(batch, null), HttpResult.failed(batch, null));
            }
            log.log("loadgen serve --max-batch %d --queue %d ready on 127.0.0.1:%d; loadgen run, closed loop of %d,"
                    + " then at %.0f/s", batch, server.queue(), server.port(), concurrency, rate);
            HttpResult closed = driver.runClosed(batch, concurrency, server);
            return List.of(closed, driver.run(batch, rate, server));
        }
    }

    private static long countImages(Path images) {
        try (Stream<Path> s = Files.list(images)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }
}
