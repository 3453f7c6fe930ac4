package io.loadgen.bench.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What {@code h2load --h1 --rps R -D SECONDS} prints, and the latency percentiles of its {@code --log-file} (one
 * line a request: time, status, microseconds from the actual send to the end of the answer).
 *
 * @param seconds "finished in 10.00s"
 * @param requestsPerSecond "..., 9986.67 req/s"
 * @param total requests: total
 * @param started requests: started
 * @param done requests: done
 * @param succeeded requests: succeeded (2xx and 3xx)
 * @param failed requests: failed
 * @param errored requests: errored
 * @param timeout requests: timeout
 */
public record H2loadOutput(double seconds, double requestsPerSecond, long total, long started, long done,
        long succeeded, long failed, long errored, long timeout) {
    private static final Pattern FINISHED = Pattern.compile("finished in ([\\d.]+)(\\w+), ([\\d.]+) req/s");
    private static final Pattern REQUESTS = Pattern.compile("requests: (\\d+) total, (\\d+) started, (\\d+) done,"
            + " (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");

    /**
     * @param text h2load's output
     * @return its figures (NaN or -1 where missing)
     */
    public static H2loadOutput parse(String text) {
        Matcher f = FINISHED.matcher(text);
        double seconds = Double.NaN;
        double rps = Double.NaN;
        if (f.find()) {
            seconds = WrkText.millis(f.group(1) + f.group(2)) / 1000;
            rps = Double.parseDouble(f.group(3));
        }
        long[] r = new long[7];
        Arrays.fill(r, -1);
        Matcher m = REQUESTS.matcher(text);
        if (m.find()) {
            for (int i = 0; i < 7; i++) {
                r[i] = Long.parseLong(m.group(i + 1));
            }
        }
        return new H2loadOutput(seconds, rps, r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
    }

    /** @return failed + errored + timeout (0 when the line is missing) */
    public long errors() {
        return Math.max(0, failed) + Math.max(0, errored) + Math.max(0, timeout);
    }

    /**
     * Latency percentiles of an h2load log file.
     *
     * @param count requests in the log that got an answer
     * @param p50Ms median, ms
     * @param p99Ms 99th percentile, ms
     * @param maxMs largest, ms
     */
    public record LogPercentiles(long count, double p50Ms, double p99Ms, double maxMs) {
        /** No log, or no answered request in it. */
        public static final LogPercentiles NONE = new LogPercentiles(0, Double.NaN, Double.NaN, Double.NaN);

        /**
         * @param log an h2load {@code --log-file}
         * @return the percentiles of its answered requests (status not -1)
         * @throws IOException if it cannot be read
         */
        public static LogPercentiles read(Path log) throws IOException {
            long[] micros;
            try (Stream<String> lines = Files.lines(log)) {
                micros = lines.map(l -> l.split("\t")).filter(f -> f.length >= 3 && !f[1].trim().equals("-1"))
                        .mapToLong(f -> Long.parseLong(f[2].trim())).sorted().toArray();
            }
            if (micros.length == 0) {
                return NONE;
            }
            return new LogPercentiles(micros.length, at(micros, 0.50) / 1000.0, at(micros, 0.99) / 1000.0,
                    micros[micros.length - 1] / 1000.0);
        }

        private static long at(long[] sorted, double q) {
            int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1));
            return sorted[i];
        }
    }
}
