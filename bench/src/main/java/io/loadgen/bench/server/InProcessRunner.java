package io.loadgen.bench.server;

import io.loadgen.bench.ModelBench;
import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Outputs;
import io.loadgen.bench.report.ProgressLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs the in-process benchmark, {@link ModelBench}, in a JVM of its own ({@code -Xmx2g}) at one batch size with the
 * run's decoder, and reads what it prints: {@code LOADED} once the model is loaded and warmed up (up to 300 s, as the
 * first use builds the model), {@code MEASURE_START} and {@code MEASURE_END} around the model-only timed part and
 * {@code PIPELINE_START} and {@code PIPELINE_END} around the pipeline's (the CPU of the other processes is taken
 * between each pair), {@code RESULT}, {@code PIPELINE} and {@code PREPROCESS}. Its output goes to
 * {@code inprocess-b<B>.log} in the runs directory. A step that does not come in time ends the run with a note; a
 * pipeline that fails leaves the model-only figures standing.
 */
public final class InProcessRunner {
    private final ServerSettings settings;
    private final Path images;
    private final Outputs outputs;
    private final Notes notes;
    private final ProgressLog log;

    /**
     * @param settings the step lengths, TensorFlow threads and decoder
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
     * @param batch the batch size of every {@code predict} call, and the pipeline's max batch
     * @return what it measured, or {@link InProcessResult#failed} (with a note saying why)
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted
     */
    public InProcessResult run(int batch) throws IOException, InterruptedException {
        String name = "inprocess-b" + batch;
        Path logFile = outputs.runsDir().resolve(name + ".log");
        int settle = settings.settleSeconds();
        Duration timed = Duration.ofSeconds(settings.inProcessSeconds() + 60L);
        try (Proc p = Proc.startFollowed(List.of(Machine.java(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                ModelBench.class.getName(), Integer.toString(batch), Integer.toString(settings.inProcessSeconds()),
                Integer.toString(ServerSettings.INTRA_OP), Integer.toString(ServerSettings.INTER_OP),
                images.toString(), Integer.toString(settle), settings.decoderName()), logFile)) {
            Optional<String> loaded = p.awaitLine(l -> l.startsWith("LOADED"), Duration.ofSeconds(300));
            if (loaded.isEmpty()
                    || p.awaitLine(l -> l.equals("MEASURE_START"), Duration.ofSeconds(settle + 60L)).isEmpty()) {
                return failed(batch, logFile, p, "did not start measuring");
            }
            CpuSnapshot c0 = CpuSnapshot.take(p.pid(), -1);
            if (p.awaitLine(l -> l.equals("MEASURE_END"), timed).isEmpty()) {
                return failed(batch, logFile, p, "did not finish measuring");
            }
            CpuSnapshot c1 = CpuSnapshot.take(p.pid(), -1);
            Optional<String> result = p.awaitLine(l -> l.startsWith("RESULT"), Duration.ofSeconds(30));
            if (result.isEmpty()) {
                return failed(batch, logFile, p, "printed no RESULT");
            }
            StepCpu cpu = c0.until(c1);
            notes.othersIfBusy("in-process max batch " + batch, cpu);

            List<String> lines = new ArrayList<>(List.of(result.get()));
            StepCpu pipeCpu = null;
            String pipeFailed = null;
            // the decoder's warm-up and the clients' start come before the settling
            if (p.awaitLine(l -> l.equals("PIPELINE_START"), Duration.ofSeconds(settle + 60L)).isEmpty()) {
                pipeFailed = "did not start measuring";
            } else {
                CpuSnapshot q0 = CpuSnapshot.take(p.pid(), -1);
                if (p.awaitLine(l -> l.equals("PIPELINE_END"), timed).isEmpty()) {
                    pipeFailed = "did not finish measuring";
                } else {
                    CpuSnapshot q1 = CpuSnapshot.take(p.pid(), -1);
                    pipeCpu = q0.until(q1);
                    notes.othersIfBusy("in-process pipeline max batch " + batch, pipeCpu);
                    Optional<String> pipe = p.awaitLine(l -> l.startsWith("PIPELINE "), Duration.ofSeconds(30));
                    if (pipe.isEmpty()) {
                        pipeFailed = "printed no PIPELINE line";
                    } else {
                        lines.add(pipe.get());
                    }
                }
            }
            if (pipeFailed != null) {
                notes.add("in-process pipeline max batch " + batch + " " + pipeFailed + " (exit " + p.exitText()
                        + "), see " + outputs.rel(logFile));
            }
            Optional<String> pre = pipeFailed != null ? Optional.empty()
                    : p.awaitLine(l -> l.startsWith("PREPROCESS"), Duration.ofSeconds(settle + 30L));
            pre.ifPresent(lines::add);
            p.stop(Duration.ofSeconds(30));
            InProcessResult r = InProcessResult.parse(batch, lines, cpu.othersPct(),
                    pipeCpu == null ? Double.NaN : pipeCpu.othersPct()).orElseThrow();
            checkPipeline(r, lines, logFile);
            log.log("in-process max batch %d: %s; %s", batch, loaded.get(), String.join("; ", lines));
            return r;
        }
    }

    /** Notes a pipeline that had errors, or that ran another decoder than asked. */
    private void checkPipeline(InProcessResult r, List<String> lines, Path logFile) {
        for (String l : lines) {
            if (l.startsWith("PIPELINE ")) {
                KeyValues kv = KeyValues.parse(l);
                String ran = kv.text("decoder").orElse("?");
                if (!ran.equals(settings.decoderName())) {
                    notes.add("in-process pipeline max batch " + r.batch() + " ran decoder " + ran + ", not "
                            + settings.decoderName());
                }
            }
        }
        if (r.pipelineErrors() > 0) {
            notes.add(String.format(Locale.ROOT, "in-process pipeline max batch %d: %.0f images failed in the timed"
                    + " part, see %s", r.batch(), r.pipelineErrors(), outputs.rel(logFile)));
        }
    }

    private InProcessResult failed(int batch, Path logFile, Proc p, String what) {
        notes.add("in-process max batch " + batch + " " + what + " (exit " + p.exitText() + "), see "
                + outputs.rel(logFile));
        return InProcessResult.failed(batch);
    }
}
