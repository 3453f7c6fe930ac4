package io.loadgen.bench.server;

/**
 * What {@code loadgen run} measured against {@code loadgen serve} at one max batch size; NaN where nothing was
 * measured.
 *
 * @param batch the server's max batch size
 * @param offered the offered rate, req/s (Poisson arrivals)
 * @param okPerS 200 responses per second within the measured window (timeline.csv)
 * @param e5xxPerS 5xx responses (the server's 503s) per second within the measured window
 * @param p50Ms summary.json's latency p50, ms, from the intended send time, over 200s and 503s alike
 * @param p99Ms summary.json's latency p99, ms, likewise
 * @param summaryOkPerS summary.json's ok / duration_s, which also counts what completed after the schedule's end
 * @param valid whether loadgen wrote a summary with a measured window
 * @param cpu the CPU over the measured part, or null if it was not sampled
 */
public record HttpResult(int batch, double offered, double okPerS, double e5xxPerS, double p50Ms, double p99Ms,
        double summaryOkPerS, boolean valid, StepCpu cpu) {

    /**
     * @param batch the max batch size
     * @param cpu the CPU if it was sampled, or null
     * @return a run that measured nothing
     */
    public static HttpResult failed(int batch, StepCpu cpu) {
        return new HttpResult(batch, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false, cpu);
    }

    /**
     * @param in the in-process run at the same batch size
     * @return HTTP ok/s as a percentage of the in-process pipeline's images/s (same decoder, from encoded bytes):
     *     the goal figure; NaN if either is missing
     */
    public double pipelineRatioPct(InProcessResult in) {
        return valid && in.pipelineImagesPerS() > 0 ? 100 * okPerS / in.pipelineImagesPerS() : Double.NaN;
    }

    /**
     * @param in the in-process run at the same batch size
     * @return HTTP ok/s as a percentage of the in-process model-only images/s (pre-decoded images), or NaN if either
     *     is missing
     */
    public double modelRatioPct(InProcessResult in) {
        return valid && in.imagesPerS() > 0 ? 100 * okPerS / in.imagesPerS() : Double.NaN;
    }
}
