package io.loadgen.bench.cli;

import java.time.Duration;
import picocli.CommandLine;

/**
 * Converts a bench option's duration: {@code 10s}, {@code 500ms}, {@code 4m}, {@code 1m30s}, {@code 1.5s}, a bare
 * number of seconds ({@code 480}), or ISO-8601 ({@code PT10S}).
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /**
     * @param value the text
     * @return the duration
     * @throws CommandLine.TypeConversionException if it is not one
     */
    public static Duration parse(String value) {
        String s = value.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
            }
            if (s.matches("[\\d.]+")) {
                return millis(Double.parseDouble(s) * 1000);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([\\d.]+)(ms|s|m|h)").matcher(s);
            Duration d = Duration.ZERO;
            int at = 0;
            while (m.find() && m.start() == at) {
                double v = Double.parseDouble(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> millis(v);
                    case "s" -> millis(v * 1000);
                    case "m" -> millis(v * 60_000);
                    default -> millis(v * 3_600_000);
                });
                at = m.end();
            }
            if (at == s.length() && at > 0) {
                return d;
            }
        } catch (RuntimeException e) {
            // below
        }
        throw new CommandLine.TypeConversionException("a duration such as 10s, 500ms, 4m or 480 (seconds), got '"
                + value + "'");
    }

    private static Duration millis(double ms) {
        return Duration.ofMillis(Math.round(ms));
    }
}
