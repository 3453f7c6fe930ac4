package io.loadgen.bench.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code wrk -R RATE --latency} (wrk2) prints. Its latency is measured from the intended send time (corrected
 * for coordinated omission) and recorded only after each thread's calibration (the first 10 s, plus 5 ms a
 * connection of the thread); {@code Requests/sec} is over the whole run, calibration included.
 *
 * @param requestsPerSecond "Requests/sec:", over the whole run
 * @param requests "N requests in ...", over the whole run
 * @param p50Ms the 50.000% line of the corrected distribution, ms
 * @param p99Ms the 99.000% line, ms
 * @param maxMs the 100.000% line, ms
 * @param recorded "Total count" of the corrected histogram: the responses after calibration
 * @param calibrated "Thread calibration:" lines (one a thread that calibrated)
 * @param socketErrors connect + read + write + timeout
 * @param non2xx answers that were not 2xx or 3xx
 */
public record Wrk2Output(double requestsPerSecond, long requests, double p50Ms, double p99Ms, double maxMs,
        long recorded, int calibrated, long socketErrors, long non2xx) {
    private static final Pattern TOTAL = Pattern.compile("Total count\\s+=\\s+(\\d+)");
    private static final Pattern CALIBRATION = Pattern.compile("Thread calibration:");

    /**
     * @param text wrk2's output
     * @return its figures (NaN or -1 where a figure is missing)
     */
    public static Wrk2Output parse(String text) {
        Matcher t = TOTAL.matcher(text);
        long recorded = t.find() ? Long.parseLong(t.group(1)) : -1;
        int calibrated = (int) CALIBRATION.matcher(text).results().count();
        long[] se = WrkText.socketErrors(text);
        return new Wrk2Output(WrkText.requestsPerSecond(text), WrkText.requests(text),
                WrkText.percentile(text, "50.000%"), WrkText.percentile(text, "99.000%"),
                WrkText.percentile(text, "100.000%"), recorded, calibrated, se[0] + se[1] + se[2] + se[3],
                WrkText.non2xx(text));
    }

    /** @return socket errors plus non-2xx answers */
    public long errors() {
        return socketErrors + non2xx;
    }
}
