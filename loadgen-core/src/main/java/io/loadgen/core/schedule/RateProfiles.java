package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads rate profiles from the {@code --profile} syntax.
 *
 * <pre>
 * 100 | constant:100                 100 requests/s for ever
 * steps:100@10s,200@10s,500@30s      each rate for its length, the last one held after
 * ramp:10..1000@60s                  linear from 10/s to 1000/s over 60 s, then 1000/s
 * sine:500,300,30s                   500 +- 300 requests/s with a 30 s period
 * trace:rates=FILE                   one rate per line, each for one second
 * trace:timestamps=FILE              one request time per line, in seconds from the start (binned by 10 ms)
 * </pre>
 * Rates may be fractional ({@code 0.1} is one request every ten seconds).
 */
public final class RateProfiles {
    /** Bin length used when a trace of timestamps becomes a rate profile. */
    public static final Duration TIMESTAMP_BIN = Duration.ofMillis(10);

    private static final String SYNTAX = "profiles: RATE | constant:RATE | steps:RATE@DUR,RATE@DUR,... | "
            + "ramp:FROM..TO@DUR | sine:MEAN,AMPLITUDE,PERIOD | trace:rates=FILE | trace:timestamps=FILE";

    private RateProfiles() {
    }

    /**
     * Parses a profile spec.
     *
     * @param spec the text, see the class comment
     * @return the profile
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    public static RateProfile parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty profile; " + SYNTAX);
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String kind = colon < 0 ? "constant" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        String body = colon < 0 ? s : s.substring(colon + 1).trim();
        try {
            return switch (kind) {
                case "constant" -> new ConstantRate(rate(body));
                case "steps" -> steps(body);
                case "ramp" -> ramp(body);
                case "sine" -> sine(body);
                case "trace" -> trace(body);
                default -> throw new IllegalArgumentException("unknown profile kind '" + kind + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad profile '" + spec + "': " + e.getMessage() + "; " + SYNTAX, e);
        }
    }

    private static double rate(String text) {
        String t = text.trim();
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        try {
            return RateProfile.checkRate("rate", Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a rate");
        }
    }

    private static StepRate steps(String body) {
        List<StepRate.Step> steps = new ArrayList<>();
        for (String part : body.split(",")) {
            String[] rd = part.split("@");
            if (rd.length != 2) {
                throw new IllegalArgumentException("step '" + part + "' is not RATE@DURATION");
            }
            steps.add(new StepRate.Step(rate(rd[0]), ChronoDurations.parse(rd[1], "s")));
        }
        return new StepRate(steps);
    }

    private static RampRate ramp(String body) {
        String[] rd = body.split("@");
        String[] ft = rd[0].split("\\.\\.");
        if (rd.length != 2 || ft.length != 2) {
            throw new IllegalArgumentException("ramp is FROM..TO@DURATION");
        }
        return new RampRate(rate(ft[0]), rate(ft[1]), ChronoDurations.parse(rd[1], "s"));
    }

    private static SineRate sine(String body) {
        String[] p = body.split(",");
        if (p.length != 3) {
            throw new IllegalArgumentException("sine is MEAN,AMPLITUDE,PERIOD");
        }
        return new SineRate(rate(p[0]), rate(p[1]), ChronoDurations.parse(p[2], "s"));
    }

    private static TraceRate trace(String body) {
        int eq = body.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("trace is rates=FILE or timestamps=FILE");
        }
        String kind = body.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        Path file = Path.of(body.substring(eq + 1).trim());
        return readTrace(kind, file);
    }

    /**
     * Reads a trace file. Blank lines and lines starting with {@code #} are skipped.
     *
     * @param kind {@code rates} (one requests-per-second figure per line, one line per second) or
     *     {@code timestamps} (one request time per line, seconds from the start, non-decreasing)
     * @param file the file
     * @return the profile
     * @throws IllegalArgumentException naming the file and line of a bad value, or when the file cannot be read
     */
    public static TraceRate readTrace(String kind, Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read trace file " + file + ": " + e, e);
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            try {
                values.add(Double.parseDouble(l));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": '" + l + "' is not a number");
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no values");
        }
        String source = kind + "=" + file;
        switch (kind) {
            case "rates" -> {
                double[] rates = values.stream().mapToDouble(Double::doubleValue).toArray();
                return new TraceRate(source, Duration.ofSeconds(1), rates);
            }
            case "timestamps" -> {
                double binSeconds = ChronoDurations.seconds(TIMESTAMP_BIN);
                double prev = 0;
                double last = values.get(values.size() - 1);
                if (last / binSeconds > 100_000_000) {
                    throw new IllegalArgumentException(file + ": trace longer than " + (long) (1e8 * binSeconds) + " s");
                }
                long binNanos = TIMESTAMP_BIN.toNanos();
                double[] counts = new double[(int) (Math.round(last * 1e9) / binNanos) + 1];
                for (double t : values) {
                    if (t < 0 || t < prev || Double.isNaN(t)) {
                        throw new IllegalArgumentException(file + ": timestamps must be >= 0 and non-decreasing, got "
                                + t + " after " + prev);
                    }
                    prev = t;
                    // Whole nanoseconds first: floor(0.29 / 0.01) is 28 in floating point.
                    counts[(int) (Math.round(t * 1e9) / binNanos)]++;
                }
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = counts[i] / binSeconds;
                }
                return new TraceRate(source, TIMESTAMP_BIN, counts);
            }
            default -> throw new IllegalArgumentException("trace kind '" + kind + "' is not rates or timestamps");
        }
    }

    /** @return a rate without a needless ".0" */
    static String formatRate(double r) {
        return r == Math.rint(r) && Math.abs(r) < 1e15 ? Long.toString((long) r) : Double.toString(r);
    }
}
