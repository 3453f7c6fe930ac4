package io.loadgen.config;

import java.time.Duration;
import java.util.Locale;

/** Small helpers for {@link Duration}s as the schedules use and print them. */
public final class ChronoDurations {
    /** Stands for "no end": about 292 years, the largest span {@link System#nanoTime()} arithmetic can hold. */
    public static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

    private ChronoDurations() {
    }

    /**
     * Reads a duration as people write it: {@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code 1h},
     * {@code 500us}, or an ISO-8601 {@code PT10S}. A bare number is taken in {@code bareUnit}.
     *
     * @param text the text
     * @param bareUnit unit of a bare number: "ms" or "s"
     * @return the duration, {@code >= 0}
     * @throws IllegalArgumentException saying what forms are accepted
     */
    public static Duration parse(String text, String bareUnit) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return nonNegative(Duration.parse(t.toUpperCase(Locale.ROOT)), text);
            }
            String unit = bareUnit;
            String number = t;
            for (String u : new String[] {"ms", "us", "ns", "s", "m", "h"}) {
                if (t.endsWith(u)) {
                    unit = u;
                    number = t.substring(0, t.length() - u.length()).trim();
                    break;
                }
            }
            double v = Double.parseDouble(number);
            double nanosPerUnit = switch (unit) {
                case "ns" -> 1;
                case "us" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> throw new IllegalArgumentException(unit);
            };
            double nanos = v * nanosPerUnit;
            if (Double.isNaN(nanos) || nanos < 0 || nanos > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(nanos));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write e.g. 250ms, 10s, 1.5s, 2m, 1h"
                    + " (a bare number means " + bareUnit + ")");
        }
    }

    private static Duration nonNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative duration " + text);
        }
        return d;
    }

    /** @return the duration in seconds as a double */
    public static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    /** @return the duration in milliseconds as a double */
    public static double millis(Duration d) {
        return d.getSeconds() * 1e3 + d.getNano() / 1e6;
    }

    /**
     * @return the duration in hours or minutes when it is a whole number of them ({@code 1h}, {@code 2m}), else
     *     as {@link #formatExact}: for ranges in messages
     */
    public static String formatLargest(Duration d) {
        long n = d.toNanos();
        if (n != 0 && n % 3_600_000_000_000L == 0) {
            return (n / 3_600_000_000_000L) + "h";
        }
        if (n != 0 && n % 60_000_000_000L == 0) {
            return (n / 60_000_000_000L) + "m";
        }
        return formatExact(d);
    }

    /**
     * @return the duration in the largest unit up to seconds that states it exactly ({@code 3s}, {@code 1500ms},
     *     {@code 250us}, {@code 7ns}), so that {@link #parse} reads back the same value
     */
    public static String formatExact(Duration d) {
        long n = d.toNanos();
        if (n % 1_000_000_000L == 0) {
            return (n / 1_000_000_000L) + "s";
        }
        if (n % 1_000_000L == 0) {
            return (n / 1_000_000L) + "ms";
        }
        if (n % 1_000L == 0) {
            return (n / 1_000L) + "us";
        }
        return n + "ns";
    }

    /** @return a short human form: {@code 850us}, {@code 12.5ms}, {@code 3s}, {@code 1.5m} */
    public static String format(Duration d) {
        if (d.equals(FOREVER)) {
            return "forever";
        }
        double ms = millis(d);
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.0fus", ms * 1000);
        }
        if (ms < 1000) {
            return trim(String.format(Locale.ROOT, "%.1f", ms)) + "ms";
        }
        if (ms < 120_000) {
            return trim(String.format(Locale.ROOT, "%.3f", ms / 1000)) + "s";
        }
        return trim(String.format(Locale.ROOT, "%.2f", ms / 60_000)) + "m";
    }

    private static String trim(String s) {
        if (!s.contains(".")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
