package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.time.Duration;
import java.util.Optional;

/**
 * A linear change of rate from {@code from} to {@code to} over {@code over}; {@code to} is held after.
 *
 * @param from requests per second at the start, in {@code [0, MAX_RATE]}
 * @param to requests per second at the end, in {@code [0, MAX_RATE]}
 * @param over length of the ramp, {@code > 0}
 */
public record RampRate(double from, double to, Duration over) implements RateProfile {
    /** The slice over which a smooth profile's rate is taken as constant. */
    static final Duration SLICE = Duration.ofMillis(10);

    public RampRate {
        RateProfile.checkRate("ramp start rate", from);
        RateProfile.checkRate("ramp end rate", to);
        if (over == null || over.isZero() || over.isNegative()) {
            throw new IllegalArgumentException("ramp length must be > 0, got " + over);
        }
    }

    @Override
    public double rateAt(Duration sinceStart) {
        if (sinceStart.compareTo(over) >= 0) {
            return to;
        }
        double f = (double) sinceStart.toNanos() / over.toNanos();
        return from + (to - from) * f;
    }

    @Override
    public Duration constantUntil(Duration sinceStart) {
        if (sinceStart.compareTo(over) >= 0) {
            return ChronoDurations.FOREVER;
        }
        Duration next = sinceStart.plus(SLICE);
        return next.compareTo(over) < 0 ? next : over;
    }

    @Override
    public Optional<Duration> length() {
        return Optional.of(over);
    }

    @Override
    public double peakRate() {
        return Math.max(from, to);
    }

    @Override
    public String spec() {
        return "ramp:" + RateProfiles.formatRate(from) + ".." + RateProfiles.formatRate(to) + "@"
                + ChronoDurations.formatExact(over);
    }
}
