package io.loadgen.bench.server;

/**
 * What the in-process run ({@link io.loadgen.bench.ModelBench}) measured at one batch size; NaN where it failed.
 *
 * @param batch the batch size of every {@code predict} call
 * @param imagesPerS images per second over the timed part
 * @param batchMs the mean time of one {@code predict} call, ms
 * @param batchP99Ms its 99th percentile, ms
 * @param cpuPct the model JVM's CPU over the timed part, as it measured itself (100 = one core)
 * @param othersPct the other processes' CPU over the timed part (100 = one core)
 * @param preprocessMs decoding and preprocessing one sample JPEG on one warm thread, ms
 * @param ok whether it ran to its result
 */
public record InProcessResult(int batch, double imagesPerS, double batchMs, double batchP99Ms, double cpuPct,
        double othersPct, double preprocessMs, boolean ok) {

    /**
     * @param batch the batch size
     * @return a run that measured nothing
     */
    public static InProcessResult failed(int batch) {
        return new InProcessResult(batch, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                false);
    }
}
