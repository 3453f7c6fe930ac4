package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.time.Duration;
import java.util.Optional;

/**
 * The same rate for ever.
 *
 * @param perSecond requests per second, in {@code [0, MAX_RATE]}
 */
public record ConstantRate(double perSecond) implements RateProfile {
    public ConstantRate {
        RateProfile.checkRate("rate", perSecond);
    }

    @Override
    public double rateAt(Duration sinceStart) {
        return perSecond;
    }

    @Override
    public Duration constantUntil(Duration sinceStart) {
        return ChronoDurations.FOREVER;
    }

    @Override
    public Optional<Duration> length() {
        return Optional.empty();
    }

    @Override
    public double peakRate() {
        return perSecond;
    }

    @Override
    public String spec() {
        return "constant:" + RateProfiles.formatRate(perSecond);
    }
}
