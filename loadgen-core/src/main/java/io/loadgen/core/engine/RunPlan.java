package io.loadgen.core.engine;

import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.RateProfile;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * What a run does over time: its rate profile, arrival process and length.
 *
 * @param profile the rate profile at the start (it can be changed while the run goes on)
 * @param arrival constant or Poisson arrivals
 * @param seed seed of the Poisson process, so that a run can be repeated exactly
 * @param duration how long to schedule requests, {@code > 0}; {@code null} for the profile's own length, or until
 *     stopped when the profile has none
 */
public record RunPlan(RateProfile profile, Arrival arrival, long seed, Duration duration) implements Serializable {
    public RunPlan {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(arrival, "arrival");
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new IllegalArgumentException("duration must be > 0, got " + duration);
        }
    }

    /**
     * @return the plan of these values: the profile (or a constant {@code rate}), the arrival process, the seed and
     *     the duration of {@link io.loadgen.core.config.CoreSettings#SCHEDULE_GROUP}
     */
    public static RunPlan from(io.loadgen.config.Settings s) {
        RateProfile p = s.get(io.loadgen.core.config.CoreSettings.PROFILE)
                .orElseGet(() -> new io.loadgen.core.schedule.ConstantRate(s.get(
                        io.loadgen.core.config.CoreSettings.RATE)));
        return new RunPlan(p, s.get(io.loadgen.core.config.CoreSettings.ARRIVAL),
                s.get(io.loadgen.core.config.CoreSettings.SEED),
                s.get(io.loadgen.core.config.CoreSettings.DURATION).orElse(null));
    }

    /** @return the planned length: the duration, the profile's length, or empty for "until stopped" */
    public java.util.Optional<Duration> length() {
        return duration != null ? java.util.Optional.of(duration) : profile.length();
    }
}
