package io.loadgen.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The measured window of a {@code loadgen run}, summed from its {@code timeline.csv}: the intervals that lie within
 * [warm-up, warm-up + duration] (50 ms of slack at each end), so that neither the warm-up nor what completes after
 * the schedule's end (loadgen's backlog draining) counts. The columns are found by name ({@code elapsed_s},
 * {@code length_s}, {@code ok}, {@code err_5xx}).
 *
 * @param ok 200 responses in the window
 * @param e5xx 5xx responses in the window (the server's 503s)
 * @param seconds the length of the intervals summed, seconds
 */
public record TimelineWindow(double ok, double e5xx, double seconds) {
    private static final double SLACK_S = 0.05;

    /**
     * @param timeline a timeline.csv
     * @param warmupS the run's warm-up, seconds (summary.json's {@code warmup_s})
     * @param durationS the measured window's length, seconds (summary.json's {@code duration_s})
     * @return the window, or empty if the file is missing, has not the columns, or no interval lies in the window
     */
    public static Optional<TimelineWindow> read(Path timeline, double warmupS, double durationS) {
        try {
            return parse(Files.readAllLines(timeline), warmupS, durationS);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param lines the lines of a timeline.csv, its header first
     * @param warmupS the run's warm-up, seconds
     * @param durationS the measured window's length, seconds
     * @return the window, or empty
     */
    public static Optional<TimelineWindow> parse(List<String> lines, double warmupS, double durationS) {
        try {
            List<String> head = Arrays.asList(lines.get(0).split(","));
            int elapsed = head.indexOf("elapsed_s");
            int length = head.indexOf("length_s");
            int ok = head.indexOf("ok");
            int e5xx = head.indexOf("err_5xx");
            if (elapsed < 0 || length < 0 || ok < 0 || e5xx < 0) {
                return Optional.empty();
            }
            double[] sum = new double[3];
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split(",");
                double start = Double.parseDouble(f[elapsed]);
                double len = Double.parseDouble(f[length]);
                if (start >= warmupS - SLACK_S && start + len <= warmupS + durationS + SLACK_S) {
                    sum[0] += Double.parseDouble(f[ok]);
                    sum[1] += Double.parseDouble(f[e5xx]);
                    sum[2] += len;
                }
            }
            return sum[2] > 0 ? Optional.of(new TimelineWindow(sum[0], sum[1], sum[2])) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return 200s per second of the window */
    public double okPerS() {
        return ok / seconds;
    }

    /** @return 5xx per second of the window */
    public double e5xxPerS() {
        return e5xx / seconds;
    }
}
