package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * A rate replayed from a recorded trace: one rate per bin of equal length; the last bin's rate is held after the
 * end. {@link RateProfiles#readTrace} builds one from a file of per-second rates (1 s bins) or of request
 * timestamps (10 ms bins, each bin's rate being its count of requests divided by the bin length).
 *
 * @param source where the trace came from, for {@link #spec()}; may be empty
 * @param bin length of each bin, {@code > 0}
 * @param rates requests per second for each bin, each in {@code [0, MAX_RATE]}, at least one
 */
public record TraceRate(String source, Duration bin, double[] rates) implements RateProfile {
    public TraceRate {
        if (bin == null || bin.isZero() || bin.isNegative()) {
            throw new IllegalArgumentException("trace bin length must be > 0, got " + bin);
        }
        if (rates == null || rates.length == 0) {
            throw new IllegalArgumentException("a trace needs at least one rate");
        }
        rates = rates.clone();
        for (double r : rates) {
            RateProfile.checkRate("trace rate", r);
        }
        source = source == null ? "" : source;
    }

    private int binIndex(Duration sinceStart) {
        long i = sinceStart.toNanos() / bin.toNanos();
        return (int) Math.min(i, rates.length - 1);
    }

    @Override
    public double rateAt(Duration sinceStart) {
        return rates[binIndex(sinceStart)];
    }

    @Override
    public Duration constantUntil(Duration sinceStart) {
        long i = sinceStart.toNanos() / bin.toNanos();
        if (i >= rates.length - 1) {
            return ChronoDurations.FOREVER;
        }
        return bin.multipliedBy(i + 1);
    }

    @Override
    public Optional<Duration> length() {
        return Optional.of(bin.multipliedBy(rates.length));
    }

    @Override
    public double[] rates() {
        return rates.clone();
    }

    @Override
    public double peakRate() {
        return java.util.Arrays.stream(rates).max().orElse(0);
    }

    @Override
    public String spec() {
        return source.isEmpty() ? "trace:(" + rates.length + " bins of " + ChronoDurations.formatExact(bin) + ")"
                : "trace:" + source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceRate t && source.equals(t.source) && bin.equals(t.bin)
                && Arrays.equals(rates, t.rates);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * source.hashCode() + bin.hashCode()) + Arrays.hashCode(rates);
    }

    @Override
    public String toString() {
        return "TraceRate[" + spec() + "]";
    }
}
