package io.loadgen.bench.report;

import java.time.Duration;
import java.util.Locale;

/** Number formats of the benches' reports: a fixed number of decimals, "-" for NaN (not measured). */
public final class Fmt {
    private Fmt() {
    }

    /**
     * @param v a value
     * @param decimals digits after the point
     * @return it, or "-" if NaN or infinite
     */
    public static String fixed(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * @param v a value
     * @return it with no decimals, or "-"
     */
    public static String f0(double v) {
        return fixed(v, 0);
    }

    /**
     * @param v a value
     * @return it with 1 decimal, or "-"
     */
    public static String f1(double v) {
        return fixed(v, 1);
    }

    /**
     * @param v a value
     * @return it with 2 decimals, or "-"
     */
    public static String f2(double v) {
        return fixed(v, 2);
    }

    /**
     * @param v a value
     * @return it with 3 decimals, or "-"
     */
    public static String f3(double v) {
        return fixed(v, 3);
    }

    /**
     * @param v a rate
     * @return it with a thousands separator and no decimals ("20,000"), or "-"
     */
    public static String rate(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    /**
     * @param d a duration
     * @return "12 s", "3 min 5 s"
     */
    public static String duration(Duration d) {
        long s = Math.round(d.toMillis() / 1000.0);
        return s < 60 ? s + " s" : s / 60 + " min " + s % 60 + " s";
    }

    /**
     * @param format a {@link String#format} pattern, in the root locale
     * @param args its arguments
     * @return the text
     */
    public static String of(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
