package io.loadgen.bench.engine;

/**
 * What {@code wrk --latency} (wrk 4, closed loop) prints. Its latency is measured from the actual send.
 *
 * @param requestsPerSecond "Requests/sec:"
 * @param requests "N requests in ..."
 * @param p50Ms the 50% line of the latency distribution, ms
 * @param p99Ms the 99% line, ms
 * @param socketErrors connect + read + write + timeout
 * @param non2xx answers that were not 2xx or 3xx
 */
public record WrkOutput(double requestsPerSecond, long requests, double p50Ms, double p99Ms, long socketErrors,
        long non2xx) {

    /**
     * @param text wrk's output
     * @return its figures (NaN or -1 where a figure is missing)
     */
    public static WrkOutput parse(String text) {
        long[] se = WrkText.socketErrors(text);
        return new WrkOutput(WrkText.requestsPerSecond(text), WrkText.requests(text), WrkText.percentile(text, "50%"),
                WrkText.percentile(text, "99%"), se[0] + se[1] + se[2] + se[3], WrkText.non2xx(text));
    }

    /** @return socket errors plus non-2xx answers */
    public long errors() {
        return socketErrors + non2xx;
    }
}
