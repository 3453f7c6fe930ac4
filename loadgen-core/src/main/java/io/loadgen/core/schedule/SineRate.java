package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.time.Duration;
import java.util.Optional;

/**
 * A rate that swings around a mean: {@code mean + amplitude * sin(2 pi t / period)}, without end.
 *
 * @param mean requests per second, in {@code [0, MAX_RATE]}
 * @param amplitude requests per second, in {@code [0, mean]} so that the rate never goes negative, and
 *     {@code mean + amplitude <= MAX_RATE}
 * @param period length of one cycle, {@code > 0}
 */
public record SineRate(double mean, double amplitude, Duration period) implements RateProfile {
    public SineRate {
        RateProfile.checkRate("sine mean rate", mean);
        RateProfile.checkRate("sine amplitude", amplitude);
        RateProfile.checkRate("sine peak rate", mean + amplitude);
        if (amplitude > mean) {
            throw new IllegalArgumentException("sine amplitude " + amplitude + " must not exceed the mean " + mean
                    + " (the rate would go negative)");
        }
        if (period == null || period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("sine period must be > 0, got " + period);
        }
    }

    @Override
    public double rateAt(Duration sinceStart) {
        double phase = 2 * Math.PI * ((double) (sinceStart.toNanos() % period.toNanos()) / period.toNanos());
        return Math.max(0, mean + amplitude * Math.sin(phase));
    }

    @Override
    public Duration constantUntil(Duration sinceStart) {
        return sinceStart.plus(RampRate.SLICE);
    }

    @Override
    public Optional<Duration> length() {
        return Optional.empty();
    }

    @Override
    public double peakRate() {
        return mean + amplitude;
    }

    @Override
    public String spec() {
        return "sine:" + RateProfiles.formatRate(mean) + "," + RateProfiles.formatRate(amplitude) + ","
                + ChronoDurations.formatExact(period);
    }
}
