package io.loadgen.bench.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pieces of wrk's and wrk2's text output that both print the same way. */
final class WrkText {
    private static final Pattern UNIT = Pattern.compile("([\\d.]+)(us|ms|s|m|h)");
    private static final Pattern SOCKET = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([\\d.]+\\w+),");

    private WrkText() {
    }

    /**
     * @param s a wrk duration: 812.00us, 1.23ms, 2.01s, 1.50m
     * @return it in ms, or NaN
     */
    static double millis(String s) {
        Matcher m = UNIT.matcher(s.trim());
        if (!m.matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
        };
    }

    /** @return the "Requests/sec:" figure, or NaN */
    static double requestsPerSecond(String text) {
        Matcher m = RPS.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** @return the count of "N requests in 10.00s, ...", or -1 */
    static long requests(String text) {
        Matcher m = REQUESTS.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** @return {connect, read, write, timeout} socket errors (zeros when wrk printed no such line) */
    static long[] socketErrors(String text) {
        long[] e = new long[4];
        Matcher m = SOCKET.matcher(text);
        if (m.find()) {
            for (int i = 0; i < 4; i++) {
                e[i] = Long.parseLong(m.group(i + 1));
            }
        }
        return e;
    }

    /** @return answers that were not 2xx or 3xx */
    static long non2xx(String text) {
        Matcher m = NON_2XX.matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * @param text the output
     * @param label a percentile label as printed: "99%" (wrk) or "99.000%" (wrk2)
     * @return its latency in ms, or NaN
     */
    static double percentile(String text, String label) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(label) + "\\s+([\\d.]+\\w+)\\s*$").matcher(text);
        return m.find() ? millis(m.group(1)) : Double.NaN;
    }
}
