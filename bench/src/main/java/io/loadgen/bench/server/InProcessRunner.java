package io.loadgen.bench.server;

import io.loadgen.bench.ModelBench;
import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Outputs;
import io.loadgen.bench.report.ProgressLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs the in-process model benchmark, {@link ModelBench}, in a JVM of its own ({@code -Xmx2g}) at one batch size,
 * and reads what it prints: {@code LOADED} once the model is loaded and warmed up (up to 300 s, as the first use
 * builds the model), {@code MEASURE_START} and {@code MEASURE_END} around the timed part (the CPU of the other
 * processes is taken between them), {@code RESULT} and {@code PREPROCESS}. Its output goes to
 * {@code inprocess-b<B>.log} in the runs directory. A step that does not come in time ends the run with a note.
 */
public final class InProcessRunner {
    private final ServerSettings settings;
    private final Path images;
    private final Outputs outputs;
    private final Notes notes;
    private final ProgressLog log;

    /**
     * @param settings the step lengths and TensorFlow threads
     * @param images the sample JPEGs
     * @param outputs where the log goes
     * @param notes where failures and disturbances are noted
     * @param log progress
     */
    public InProcessRunner(ServerSettings settings, Path images, Outputs outputs, Notes notes, ProgressLog log) {
        this.settings = settings;
        this.images = images;
        this.outputs = outputs;
        this.notes = notes;
        this.log = log;
    }

    /**
     * @param batch the batch size of every {@code predict} call
     * @return what it measured, or {@link InProcessResult#failed} (with a note saying why)
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted
     */
    public InProcessResult run(int batch) throws IOException, InterruptedException {
        String name = "inprocess-b" + batch;
        Path logFile = outputs.runsDir().resolve(name + ".log");
        int settle = settings.settleSeconds();
        try (Proc p = Proc.startFollowed(List.of(Machine.java(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                ModelBench.class.getName(), Integer.toString(batch), Integer.toString(settings.inProcessSeconds()),
                Integer.toString(ServerSettings.INTRA_OP), Integer.toString(ServerSettings.INTER_OP),
                images.toString(), Integer.toString(settle)), logFile)) {
            Optional<String> loaded = p.awaitLine(l -> l.startsWith("LOADED"), Duration.ofSeconds(300));
            if (loaded.isEmpty()
                    || p.awaitLine(l -> l.equals("MEASURE_START"), Duration.ofSeconds(settle + 60L)).isEmpty()) {
                return failed(batch, logFile, p, "did not start measuring");
            }
            CpuSnapshot c0 = CpuSnapshot.take(p.pid(), -1);
            if (p.awaitLine(l -> l.equals("MEASURE_END"),
                    Duration.ofSeconds(settings.inProcessSeconds() + 60L)).isEmpty()) {
                return failed(batch, logFile, p, "did not finish measuring");
            }
            CpuSnapshot c1 = CpuSnapshot.take(p.pid(), -1);
            Optional<String> result = p.awaitLine(l -> l.startsWith("RESULT"), Duration.ofSeconds(30));
            if (result.isEmpty()) {
                return failed(batch, logFile, p, "printed no RESULT");
            }
            Optional<String> pre = p.awaitLine(l -> l.startsWith("PREPROCESS"), Duration.ofSeconds(settle + 30L));
            p.stop(Duration.ofSeconds(30));
            KeyValues r = KeyValues.parse(result.get());
            double preMs = pre.map(l -> KeyValues.parse(l).number("ms_per_image")).orElse(Double.NaN);
            StepCpu cpu = c0.until(c1);
            notes.othersIfBusy("in-process max batch " + batch, cpu);
            log.log("in-process max batch %d: %s; %s; %s", batch, loaded.get(), result.get(), pre.orElse(null));
            return new InProcessResult(batch, r.number("images_per_s"), r.number("batch_ms_mean"),
                    r.number("batch_ms_p99"), r.number("cpu_pct"), cpu.othersPct(), preMs, true);
        }
    }

    private InProcessResult failed(int batch, Path logFile, Proc p, String what) {
        notes.add("in-process max batch " + batch + " " + what + " (exit " + p.exitText() + "), see "
                + outputs.rel(logFile));
        return InProcessResult.failed(batch);
    }
}
