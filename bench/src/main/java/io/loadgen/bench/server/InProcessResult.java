package io.loadgen.bench.server;

import java.util.List;
import java.util.Optional;

/**
 * What the in-process run ({@link io.loadgen.bench.ModelBench}) measured at one batch size; NaN where it failed.
 *
 * @param batch the batch size of every {@code predict} call, and the pipeline's max batch
 * @param imagesPerS model only: images per second over the timed part, on pre-decoded images
 * @param batchMs the mean time of one {@code predict} call, ms
 * @param batchP99Ms its 99th percentile, ms
 * @param cpuPct the model JVM's CPU over the model-only timed part, as it measured itself (100 = one core)
 * @param othersPct the other processes' CPU over the model-only timed part (100 = one core)
 * @param pipelineImagesPerS the pipeline (decoder + batcher + model, from encoded bytes): images per second
 * @param pipelineBatchMean the mean batch the pipeline's batcher ran
 * @param pipelineCpuPct the JVM's CPU over the pipeline's timed part, as it measured itself
 * @param pipelineOthersPct the other processes' CPU over the pipeline's timed part
 * @param pipelineErrors the pipeline's failed images in its timed part (0 expected)
 * @param preprocessMs decoding and preprocessing one sample JPEG on one warm thread with the run's decoder, ms
 * @param ok whether it ran to its model-only result
 */
public record InProcessResult(int batch, double imagesPerS, double batchMs, double batchP99Ms, double cpuPct,
        double othersPct, double pipelineImagesPerS, double pipelineBatchMean, double pipelineCpuPct,
        double pipelineOthersPct, double pipelineErrors, double preprocessMs, boolean ok) {

    /**
     * @param batch the batch size
     * @return a run that measured nothing
     */
    public static InProcessResult failed(int batch) {
        double nan = Double.NaN;
        return new InProcessResult(batch, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, false);
    }

    /** @return whether the pipeline part gave a figure */
    public boolean pipelineOk() {
        return pipelineImagesPerS > 0;
    }

    /**
     * Reads what {@link io.loadgen.bench.ModelBench} printed: its {@code RESULT}, {@code PIPELINE} and
     * {@code PREPROCESS} lines (the other lines are ignored; a missing {@code PIPELINE} or {@code PREPROCESS} gives
     * NaN there).
     *
     * @param batch the batch size
     * @param lines its output, or the lines of it that matter
     * @param othersPct the other processes' CPU over the model-only timed part
     * @param pipelineOthersPct the other processes' CPU over the pipeline's timed part
     * @return the result, or empty without a {@code RESULT} line
     */
    public static Optional<InProcessResult> parse(int batch, List<String> lines, double othersPct,
            double pipelineOthersPct) {
        Optional<KeyValues> result = line(lines, "RESULT");
        if (result.isEmpty()) {
            return Optional.empty();
        }
        KeyValues r = result.get();
        KeyValues p = line(lines, "PIPELINE").orElse(KeyValues.parse(""));
        KeyValues pre = line(lines, "PREPROCESS").orElse(KeyValues.parse(""));
        return Optional.of(new InProcessResult(batch, r.number("images_per_s"), r.number("batch_ms_mean"),
                r.number("batch_ms_p99"), r.number("cpu_pct"), othersPct, p.number("images_per_s"),
                p.number("batch_mean"), p.number("cpu_pct"), pipelineOthersPct, p.number("errors"),
                pre.number("ms_per_image"), true));
    }

    /** @return the last line whose first word is {@code word}, as pairs */
    private static Optional<KeyValues> line(List<String> lines, String word) {
        Optional<KeyValues> found = Optional.empty();
        for (String l : lines) {
            String t = l.trim();
            if (t.equals(word) || t.startsWith(word + " ")) {
                found = Optional.of(KeyValues.parse(t));
            }
        }
        return found;
    }
}
