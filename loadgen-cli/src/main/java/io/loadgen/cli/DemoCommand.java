package io.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.loadgen.core.search.StepBreakdown;
import io.loadgen.core.search.StepsFile;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.config.ChronoDurations;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.StepRate;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loadgen demo}: the whole idea in one command. Starts the bundled server with its default model in a process
 * of its own ({@link ServerProcess}, on its share of the processors), measures its capacity with a short probe, then
 * drives it open-loop with Poisson arrivals in steps from 10% to 150% of that capacity, so that latency bends at the
 * knee; prints a table per step and names the knee; writes a results dir (with {@code steps.json} and the server's
 * log).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start the bundled inference server (default model) in a process of its own on"
                + " serverIp:serverPort, probe its capacity, and drive it open-loop in rising steps from 10%% to 150%%"
                + " of it; print the live line, the summary, a table per step and the knee (the highest step whose"
                + " p99 stayed within a bound), and write a results dir. With --model fashion-mnist it sends the"
                + " Fashion-MNIST test images and checks every answer against its label: accuracy per step beside"
                + " latency."})
public final class DemoCommand implements Callable<Integer>, UsesSettings {
    /** The steps, as fractions of the probed capacity. */
    static final double[] STEPS = {0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.5};
    /** Sample images bundled in the jar (copies of samples/images). */
    static final int SAMPLES = 8;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DUR", defaultValue = "60s",
            description = "Length of the stepped run after the probe, at least 8s; each of the 8 steps lasts a"
                    + " whole number of recording intervals (default ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--p99-bound", paramLabel = "DUR|auto", defaultValue = "auto",
            description = "The bound on a step's p99 latency that names the knee (the highest step within it, no"
                    + " request failed). auto: " + StepsFile.AUTO_BOUND_FACTOR + "x the median latency at the"
                    + " lightest step (default ${DEFAULT-VALUE}).")
    String p99Bound;

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
        Duration length = parse("--duration", duration);
        if (length.compareTo(Duration.ofSeconds(8)) < 0) {
            throw new UsageException("--duration must be at least 8s (one second per step), got " + duration);
        }
        Optional<Duration> bound = p99Bound.equalsIgnoreCase("auto") ? Optional.empty()
                : Optional.of(parse("--p99-bound", p99Bound));
        if (bound.isPresent() && (bound.get().isZero() || bound.get().isNegative())) {
            throw new UsageException("--p99-bound must be above 0 (or auto), got " + p99Bound);
        }
        EngineConfig engine = EngineConfig.from(cfg);
        Duration step = stepLength(length, engine.recordInterval());
        Path dir = out != null ? out : cfg.get(CoreSettings.OUT_DIR).resolve("demo-" + LocalDateTime.now().format(
                DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<Payload> payloads = samples();

        o.println("loadgen demo: starting the bundled server (" + cfg.get(ServerSettings.MODEL).map(Path::toString)
                .orElse("MobileNetV2 with untrained weights, built on first use") + ") in a process of its own ...");
        o.flush();
        try (ServerProcess server = ServerProcess.start(cfg, dir, o)) {
            JsonNode model = server.model();
            URI target = server.baseUri().resolve("/v1/classify");
            o.printf("server ready: %s on %s at %s%n", model.path("name").asText(), model.path("device").asText(),
                    target);
            o.printf("server process: pid %d on %s; TensorFlow runs %d intra-op thread(s) per model instance; log"
                    + " %s%n", server.pid(), server.share().describe(),
                    ServerSettings.intraOpThreads(cfg, server.share().serverCpus()), server.log());
            boolean checked = false;
            List<String> classes = new ArrayList<>();
            model.path("classes").forEach(c -> classes.add(c.asText()));
            if (classes.equals(FashionMnist.LABELS)) {
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
            o.printf("capacity probe: %.1f classifications/s (the server on its share of the processors)%n",
                    capacity);
            List<StepRate.Step> steps = new ArrayList<>();
            for (double f : STEPS) {
                steps.add(new StepRate.Step(Math.max(0.5, Math.round(f * capacity * 10) / 10.0), step));
            }
            StepRate profile = new StepRate(steps);
            RunPlan plan = new RunPlan(profile, Arrival.POISSON, cfg.get(CoreSettings.SEED), null);
            TransportConfig transport = TransportConfig.from(cfg);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("target", target.toString());
            settings.put("model", model.path("name").asText());
            settings.put("server", "a child process on " + server.share().describe());
            settings.put("capacity_probe_per_s", String.format(Locale.ROOT, "%.1f", capacity));
            settings.put("profile", profile.spec());
            settings.put("arrival", "poisson");
            settings.put("payloads", Integer.toString(payloads.size()));
            ResultsWriter results = new ResultsWriter(dir, settings);
            LoadGenerator generator = LoadGenerator.builder(workload).transport(transport).engine(engine).plan(plan)
                    .listener(results).build();
            if (!quiet) {
                generator.addListener(new LiveLine(System.out, step.multipliedBy(STEPS.length)));
            }
            StepBreakdown breakdown = new StepBreakdown(steps);
            generator.addListener(breakdown);
            server.stopAfter(generator::awaitEnd);
            o.printf("driving it open-loop, Poisson arrivals, %d steps of %s, profile %s; results in %s%n",
                    steps.size(), ChronoDurations.format(step), profile.spec(), dir);
            o.flush();
            boolean answersChecked = checked;
            RunSummary summary = new ResultsRun(generator, results, o,
                    s -> printSteps(o, breakdown.steps(), bound, answersChecked, dir)).execute();
            if (checked) {
                // the model's accuracy is over its answers: a request shed (503) or failed has none
                long right = summary.counts().ok();
                long wrong = summary.counts().errors().check();
                long unanswered = summary.counts().scheduled() - right - wrong;
                o.printf(Locale.ROOT, "accuracy over the run: %.4f of %d answers (the model's test accuracy: 0.9126);"
                        + " %d requests had no answer to check (shed, failed or dropped)%n",
                        right + wrong == 0 ? Double.NaN : (double) right / (right + wrong), right + wrong, unanswered);
            }
            o.flush();
            if (summary.state().startsWith("failed")) {
                spec.commandLine().getErr().println("loadgen: the run " + summary.state());
                return Main.EXIT_FAILED;
            }
        }
        return 0;
    }

    /** Prints the table per step and the knee, and writes {@code steps.json} for the report. */
    private static void printSteps(PrintWriter o, List<StepBreakdown.StepStats> steps, Optional<Duration> bound,
            boolean checked, Path dir) {
        if (steps.isEmpty()) {
            o.println("no step was measured");
            return;
        }
        Optional<Duration> b = bound.or(() -> StepsFile.autoBound(steps));
        if (b.isEmpty()) {
            o.println("no step had an answer: there is no knee to name");
            return;
        }
        String rule = bound.isPresent() ? "given with --p99-bound" : StepsFile.autoBoundRule(steps);
        StepsFile file = StepsFile.of(steps, b.get(), rule, checked);
        o.println();
        o.println(checked ? "steps (accuracy under load: answers checked against the test set's labels; latency from"
                + " the intended send; * p99 over the bound or a request failed):"
                : "steps (latency from the intended send; * p99 over the bound or a request failed):");
        o.print(file.table());
        o.println(file.knee());
        try {
            file.write(dir.resolve(StepsFile.FILE));
        } catch (java.io.IOException e) {
            o.println("loadgen: " + StepsFile.FILE + " not written: " + e.getMessage());
        }
        o.flush();
    }

    /**
     * @return {@code length} divided into the steps, rounded to whole recording intervals (at least one), so that
     *     each interval lies in one step
     */
    static Duration stepLength(Duration length, Duration interval) {
        long intervals = Math.max(1, Math.round((double) length.toNanos() / STEPS.length / interval.toNanos()));
        return interval.multipliedBy(intervals);
    }

    private static Duration parse(String flag, String value) {
        try {
            return ChronoDurations.parse(value, "s");
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }

    /** The first rate the probe offers, per second; it is raised fourfold while the server keeps up. */
    static final double PROBE_START_RATE = 400;
    /** Most rounds of the probe: 400, 1,600, 6,400, 25,600 per second. */
    static final int PROBE_ROUNDS = 4;

    /**
     * Drives the server above its capacity for a few seconds, with the drop policy, and returns the rate of OK
     * answers: the server sheds the excess with fast 503s (or the client drops what finds no slot), so what it
     * answers OK is its capacity. A round whose OK answers reach 80% of the offered rate did not find the limit: the
     * next offers four times as much (a small model answers thousands a second).
     */
    static double probe(Workload workload) throws InterruptedException {
        double offered = PROBE_START_RATE;
        double capacity = 1;
        for (int round = 0; round < PROBE_ROUNDS; round++) {
            LoadGenerator probe = LoadGenerator.builder(workload)
                    .engine(EngineConfig.custom().maxInFlight(64).overflow(EngineConfig.Overflow.DROP)
                            .warmup(Warmup.atTarget(Duration.ofSeconds(round == 0 ? 2 : 1))).build())
                    .transport(TransportConfig.custom().connections(64).build())
                    .plan(new RunPlan(new ConstantRate(offered), Arrival.CONSTANT, 1,
                            Duration.ofSeconds(round == 0 ? 6 : 4)))
                    .build();
            probe.start();
            probe.awaitEnd(Duration.ofMinutes(1));
            RunSummary s = probe.summary();
            capacity = Math.max(1, s.counts().ok() / ChronoDurations.seconds(s.duration()));
            if (capacity < 0.8 * offered) {
                break;
            }
            offered *= 4;
        }
        return capacity;
    }

    /** The check of every answer in the Fashion-MNIST demo: the best class is the image's label. */
    static final String ACCURACY_CHECK = "json:/predictions/0/class_id==${label}";

    /** @return the Fashion-MNIST test images as PNGs, labelled with their class id, in the dataset's order */
    static List<Payload> fashionMnistTestSet() throws IOException {
        FashionMnist.Split test = FashionMnist.test(FashionMnist.DEBIAN_DIR);
        List<Payload> out = new ArrayList<>(test.count());
        for (int i = 0; i < test.count(); i++) {
            out.add(new Payload(String.format(Locale.ROOT, "test-%05d.png", i), test.png(i), "image/png",
                    Optional.of(Integer.toString(test.label(i)))));
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
