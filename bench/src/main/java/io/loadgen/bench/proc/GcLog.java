package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM's {@code -Xlog:gc:file=...} log says: pauses and the heap after each collection.
 *
 * @param pauses stop-the-world pauses
 * @param maxMs the longest, ms
 * @param totalMs their sum, ms
 * @param afterGcMaxMb the most heap in use right after a collection (live data, roughly), MB
 */
public record GcLog(int pauses, double maxMs, double totalMs, double afterGcMaxMb) {
    private static final Pattern PAUSE = Pattern.compile("\\bPause\\b.* ([\\d.]+)ms$");
    private static final Pattern AFTER = Pattern.compile("\\d+M->(\\d+)M\\(\\d+M\\)");

    /**
     * @param file a GC log
     * @return its figures (zeros if it is absent or unreadable)
     */
    public static GcLog read(Path file) {
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException | RuntimeException e) {
            return new GcLog(0, 0, 0, 0);
        }
    }

    /**
     * @param lines the lines of a GC log
     * @return its figures
     */
    public static GcLog parse(List<String> lines) {
        int n = 0;
        double max = 0;
        double total = 0;
        double live = 0;
        for (String l : lines) {
            Matcher m = PAUSE.matcher(l);
            if (m.find()) {
                double ms = Double.parseDouble(m.group(1));
                n++;
                max = Math.max(max, ms);
                total += ms;
            }
            Matcher a = AFTER.matcher(l);
            if (a.find()) {
                live = Math.max(live, Double.parseDouble(a.group(1)));
            }
        }
        return new GcLog(n, max, total, live);
    }
}
