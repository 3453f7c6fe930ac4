package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A sequence of constant rates, each held for its length; the last rate is held after the end.
 *
 * @param steps at least one step
 */
public record StepRate(List<Step> steps) implements RateProfile {

    /**
     * One step.
     *
     * @param perSecond requests per second, in {@code [0, MAX_RATE]}
     * @param length how long the step lasts, {@code > 0}
     */
    public record Step(double perSecond, Duration length) implements Serializable {
        public Step {
            RateProfile.checkRate("step rate", perSecond);
            if (length == null || length.isZero() || length.isNegative()) {
                throw new IllegalArgumentException("step length must be > 0, got " + length);
            }
        }
    }

    public StepRate {
        if (steps == null || steps.isEmpty()) {
            throw new IllegalArgumentException("a step profile needs at least one step");
        }
        steps = List.copyOf(steps);
    }

    @Override
    public double rateAt(Duration sinceStart) {
        Duration end = Duration.ZERO;
        for (Step s : steps) {
            end = end.plus(s.length());
            if (sinceStart.compareTo(end) < 0) {
                return s.perSecond();
            }
        }
        return steps.get(steps.size() - 1).perSecond();
    }

    @Override
    public Duration constantUntil(Duration sinceStart) {
        Duration end = Duration.ZERO;
        for (int i = 0; i < steps.size() - 1; i++) {
            end = end.plus(steps.get(i).length());
            if (sinceStart.compareTo(end) < 0) {
                return end;
            }
        }
        return ChronoDurations.FOREVER;
    }

    @Override
    public Optional<Duration> length() {
        return Optional.of(steps.stream().map(Step::length).reduce(Duration.ZERO, Duration::plus));
    }

    @Override
    public double peakRate() {
        return steps.stream().mapToDouble(Step::perSecond).max().orElse(0);
    }

    @Override
    public String spec() {
        return "steps:" + steps.stream()
                .map(s -> RateProfiles.formatRate(s.perSecond()) + "@" + ChronoDurations.formatExact(s.length()))
                .collect(Collectors.joining(","));
    }
}
