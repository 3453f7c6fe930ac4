package io.loadgen.core.report;

import io.loadgen.config.UsageException;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.config.ChronoDurations;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass/fail condition on a run's summary, written as {@code METRIC OP VALUE}:
 * <pre>
 * p50|p90|p99|p999|max|mean &lt; 50ms     latency from the intended send time (also service_p99 ..., lag_p99 ...)
 * errors &lt; 1%                         errors as a share of completed requests
 * dropped &lt; 0.5%                      dropped as a share of scheduled requests
 * achieved &gt; 99%                      achieved rate as a share of the offered rate
 * achieved &gt; 950                      achieved rate in requests per second
 * checks &gt; 99%                        responses that passed every --check, as a share of the responses checked
 *                                     (0 when the run had no checks, or none was checked)
 * valid                               the generator kept its schedule (its verdict is VALID)
 * </pre>
 * Operators: {@code <}, {@code <=}, {@code >}, {@code >=}.
 *
 * @param text the assertion as written
 * @param metric the metric's name
 * @param op the operator
 * @param threshold the bound, in the metric's unit (milliseconds, percent or requests per second)
 * @param unit {@code ms}, {@code %} or {@code /s}
 */
public record Assertion(String text, String metric, String op, double threshold, String unit) {
    private static final Pattern FORM = Pattern.compile(
            "\\s*([a-z_0-9]+)\\s*(<=|>=|<|>)\\s*([0-9]*\\.?[0-9]+)\\s*(ms|s|us|%|/s)?\\s*");

    /**
     * @throws io.loadgen.config.UsageException saying what forms are accepted
     */
    public static Assertion parse(String text) {
        if (text != null && text.trim().equalsIgnoreCase("valid")) {
            return new Assertion(text, "valid", "=", 1, "");
        }
        Matcher m = FORM.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException("bad assertion '" + text + "': write e.g. 'p99<50ms', 'errors<1%',"
                    + " 'dropped<0.1%', 'achieved>99%', 'achieved>950/s' or 'valid'");
        }
        String metric = m.group(1);
        String op = m.group(2);
        double v = Double.parseDouble(m.group(3));
        String unit = m.group(4);
        if (latencyOf(metric) != null) {
            if ("%".equals(unit) || "/s".equals(unit)) {
                throw new UsageException("assertion '" + text + "': " + metric + " takes a duration");
            }
            Duration d = ChronoDurations.parse(m.group(3) + (unit == null ? "ms" : unit), "ms");
            return new Assertion(text, metric, op, ChronoDurations.millis(d), "ms");
        }
        switch (metric) {
            case "errors", "dropped", "checks" -> {
                if (!"%".equals(unit)) {
                    throw new UsageException("assertion '" + text + "': " + metric + " takes a percentage");
                }
                return new Assertion(text, metric, op, v, "%");
            }
            case "achieved" -> {
                if ("%".equals(unit)) {
                    return new Assertion(text, metric, op, v, "%");
                }
                if (unit == null || "/s".equals(unit)) {
                    return new Assertion(text, metric, op, v, "/s");
                }
                throw new UsageException("assertion '" + text + "': achieved takes a % or a rate");
            }
            default -> throw new UsageException("assertion '" + text + "': unknown metric '" + metric
                    + "'; known: p50 p90 p99 p999 max mean (and service_/lag_ variants), errors, dropped, achieved,"
                    + " checks");
        }
    }

    private static ToDoubleFunction<LatencySummary> percentile(String p) {
        return switch (p) {
            case "p50" -> l -> ChronoDurations.millis(l.p50());
            case "p90" -> l -> ChronoDurations.millis(l.p90());
            case "p99" -> l -> ChronoDurations.millis(l.p99());
            case "p999" -> l -> ChronoDurations.millis(l.p999());
            case "max" -> l -> ChronoDurations.millis(l.max());
            case "mean" -> l -> ChronoDurations.millis(l.mean());
            default -> null;
        };
    }

    private static ToDoubleFunction<RunSummary> latencyOf(String metric) {
        if (metric.startsWith("service_")) {
            var f = percentile(metric.substring("service_".length()));
            return f == null ? null : s -> f.applyAsDouble(s.serviceTime());
        }
        if (metric.startsWith("lag_")) {
            var f = percentile(metric.substring("lag_".length()));
            return f == null ? null : s -> f.applyAsDouble(s.sendLag());
        }
        var f = percentile(metric);
        return f == null ? null : s -> f.applyAsDouble(s.latency());
    }

    /** @return the metric's value in this assertion's unit (for {@code valid}: 1 or 0) */
    public double actual(RunSummary s) {
        if (metric.equals("valid")) {
            return s.verdict().valid() ? 1 : 0;
        }
        var lat = latencyOf(metric);
        if (lat != null) {
            return lat.applyAsDouble(s);
        }
        return switch (metric) {
            case "errors" -> 100.0 * s.errorRatio();
            case "dropped" -> s.counts().scheduled() == 0 ? 0 : 100.0 * s.counts().dropped() / s.counts().scheduled();
            case "achieved" -> "%".equals(unit) ? (s.offeredRate() == 0 ? 0 : 100.0 * s.achievedRate() / s.offeredRate())
                    : s.achievedRate();
            case "checks" -> Double.isNaN(s.checks().ratio()) ? 0 : 100.0 * s.checks().ratio();
            default -> throw new IllegalStateException(metric);
        };
    }

    /** @return whether the summary satisfies this assertion */
    public boolean holds(RunSummary s) {
        if (metric.equals("valid")) {
            return s.verdict().valid();
        }
        double a = actual(s);
        return switch (op) {
            case "<" -> a < threshold;
            case "<=" -> a <= threshold;
            case ">" -> a > threshold;
            case ">=" -> a >= threshold;
            default -> throw new IllegalStateException(op);
        };
    }

    /** @return e.g. {@code p99<50ms: actual 12.300ms} */
    public String describe(RunSummary s) {
        if (metric.equals("valid")) {
            return "valid: the generator's verdict is " + s.verdict().describe();
        }
        return text.trim() + ": actual " + String.format(Locale.ROOT, "%.3f", actual(s)) + unit;
    }
}
