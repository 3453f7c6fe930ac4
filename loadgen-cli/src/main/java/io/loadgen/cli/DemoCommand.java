package io.loadgen.cli;

import io.loadgen.config.SettingGroup;
import io.loadgen.config.Settings;
import io.loadgen.config.UsageException;
import io.loadgen.core.config.CoreSettings;
import io.loadgen.server.ServerSettings;
import io.loadgen.core.engine.EngineConfig;
import io.loadgen.core.engine.LoadGenerator;
import io.loadgen.core.engine.Payload;
import io.loadgen.core.engine.RunPlan;
import io.loadgen.core.engine.TransportConfig;
import io.loadgen.core.engine.Warmup;
import io.loadgen.core.engine.Workload;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.StepRate;
import io.loadgen.server.InferenceServer;
import io.loadgen.server.model.FashionMnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loadgen demo}: the whole idea in one command. Starts the bundled server with its default model in this
 * process, measures its capacity with a short probe, then drives it open-loop with Poisson arrivals in steps from
 * 10% to 150% of that capacity, so that latency bends at the knee; writes a results dir.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start the bundled inference server (default model) on serverIp:serverPort, probe its"
                + " capacity, and drive it open-loop in rising steps from 10%% to 150%% of it; print the live line"
                + " and the summary, and write a results dir. With --model fashion-mnist it sends the Fashion-MNIST"
                + " test images and checks every answer against its label: accuracy per step beside latency."})
public final class DemoCommand implements Callable<Integer>, UsesSettings {
    /** The steps, as fractions of the probed capacity. */
    static final double[] STEPS = {0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5};
    /** Sample images bundled in the jar (copies of samples/images). */
    static final int SAMPLES = 8;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DUR", defaultValue = "60s",
            description = "Length of the stepped run after the probe, at least 8s (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--out", paramLabel = "DIR", description = "Results dir (default: outDir/demo-<time>).")
    Path out;

    @Option(names = {"-q", "--quiet"}, description = "No live line.")
    boolean quiet;

    @Override
    public List<SettingGroup> settingGroups() {
        return List.of(ServerSettings.GROUP, CoreSettings.RESULTS_GROUP);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Settings cfg = CliSettings.load(spec);
        Duration length;
        try {
            length = ChronoDurations.parse(duration, "s");
        } catch (IllegalArgumentException e) {
            throw new UsageException("--duration: " + e.getMessage());
        }
        if (length.compareTo(Duration.ofSeconds(8)) < 0) {
            throw new UsageException("--duration must be at least 8s (one second per step), got " + duration);
        }
        List<Payload> payloads = samples();

        o.println("loadgen demo: starting the bundled server (" + cfg.get(ServerSettings.MODEL).map(Path::toString)
                .orElse("MobileNetV2 with untrained weights, built on first use") + ") ...");
        o.flush();
        try (InferenceServer server = InferenceServer.start(ServerSettings.serverConfig(cfg),
                ServerSettings.modelFactory(cfg))) {
            if (!server.awaitReady(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the server did not become ready");
            }
            URI target = server.baseUri().resolve("/v1/classify");
            o.printf("server ready: %s on %s at %s%n", server.modelInfo().name(), server.modelInfo().device(),
                    target);
            boolean checked = false;
            if (server.modelInfo().classes().equals(FashionMnist.LABELS)) {
                if (FashionMnist.isAvailable(FashionMnist.DEBIAN_DIR)) {
                    payloads = fashionMnistTestSet();
                    checked = true;
                    o.printf("driving it with the %d Fashion-MNIST test images and checking every answer against"
                            + " its label%n", payloads.size());
                } else {
                    o.println("the Fashion-MNIST test set is not installed (apt-get install dataset-fashion-mnist):"
                            + " the sample images are sent and answers are not checked");
                }
            }
            Workload workload = Workload.builder(target).payloads(payloads)
                    .checks(checked ? List.of(ACCURACY_CHECK) : List.of()).build();

            // the probe's answers are not the run's: it counts none of the run's checks
            double capacity = probe(Workload.builder(target).payloads(payloads).build());
            o.printf("capacity probe: %.1f classifications/s%n", capacity);
            List<StepRate.Step> steps = new ArrayList<>();
            Duration step = length.dividedBy(STEPS.length);
            for (double f : STEPS) {
                steps.add(new StepRate.Step(Math.max(0.5, Math.round(f * capacity * 10) / 10.0), step));
            }
            StepRate profile = new StepRate(steps);
            RunPlan plan = new RunPlan(profile, Arrival.POISSON, cfg.get(CoreSettings.SEED), null);
            EngineConfig engine = EngineConfig.from(cfg);
            TransportConfig transport = TransportConfig.from(cfg);
            Path dir = out != null ? out : cfg.get(CoreSettings.OUT_DIR).resolve("demo-" + LocalDateTime.now().format(
                    DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("target", target.toString());
            settings.put("model", server.modelInfo().name());
            settings.put("capacity_probe_per_s", String.format(Locale.ROOT, "%.1f", capacity));
            settings.put("profile", profile.spec());
            settings.put("arrival", "poisson");
            settings.put("payloads", Integer.toString(payloads.size()));
            ResultsWriter results = new ResultsWriter(dir, settings);
            LoadGenerator generator = LoadGenerator.builder(workload).transport(transport).engine(engine).plan(plan)
                    .listener(results).build();
            if (!quiet) {
                generator.addListener(new LiveLine(System.out, length));
            }
            AccuracyByStep accuracy = new AccuracyByStep(steps);
            if (checked) {
                generator.addListener(accuracy);
            }
            o.printf("driving it open-loop, Poisson arrivals, profile %s; results in %s%n", profile.spec(), dir);
            o.flush();
            RunSummary summary = new ResultsRun(generator, results, o).execute();
            o.printf("the knee: latency p50 %s, p99 %s over the whole run; see timeline.csv for each step%n",
                    ChronoDurations.format(summary.latency().p50()), ChronoDurations.format(summary.latency().p99()));
            if (checked) {
                accuracy.print(o);
                o.printf(Locale.ROOT, "accuracy over the run: %.4f of %d answers checked (the model's test accuracy:"
                        + " 0.9126)%n", summary.checks().ratio(), summary.checks().passed() + summary.checks().failed());
            }
            o.flush();
        }
        return 0;
    }

    /**
     * Drives the server well above any capacity it could have for a few seconds, with the drop policy, and returns
     * the rate of OK answers: the server sheds the excess with fast 503s, so what it answers OK is its capacity.
     */
    static double probe(Workload workload) throws InterruptedException {
        LoadGenerator probe = LoadGenerator.builder(workload)
                .engine(EngineConfig.custom().maxInFlight(64).overflow(EngineConfig.Overflow.DROP)
                        .warmup(Warmup.atTarget(Duration.ofSeconds(2))).build())
                .transport(TransportConfig.custom().connections(64).build())
                .plan(new RunPlan(new ConstantRate(400), Arrival.CONSTANT, 1, Duration.ofSeconds(6)))
                .build();
        probe.start();
        probe.awaitEnd(Duration.ofMinutes(1));
        RunSummary s = probe.summary();
        return Math.max(1, s.counts().ok() / ChronoDurations.seconds(s.duration()));
    }

    /** The check of every answer in the Fashion-MNIST demo: the best class is the image's label. */
    static final String ACCURACY_CHECK = "json:/predictions/0/class_id==${label}";

    /** @return the Fashion-MNIST test images as PNGs, labelled with their class id, in the dataset's order */
    static List<Payload> fashionMnistTestSet() throws IOException {
        FashionMnist.Split test = FashionMnist.test(FashionMnist.DEBIAN_DIR);
        List<Payload> out = new ArrayList<>(test.count());
        for (int i = 0; i < test.count(); i++) {
            out.add(new Payload(String.format(Locale.ROOT, "test-%05d.png", i), test.png(i), "image/png",
                    java.util.Optional.of(Integer.toString(test.label(i)))));
        }
        return out;
    }

    /** @return the sample JPEGs bundled in this jar */
    public static List<Payload> samples() {
        List<Payload> list = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            String name = String.format(Locale.ROOT, "sample-%02d.jpg", i);
            try (InputStream in = DemoCommand.class.getResourceAsStream("samples/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("sample image " + name + " missing from the jar");
                }
                list.add(new Payload(name, in.readAllBytes(), "image/jpeg"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return list;
    }
}
