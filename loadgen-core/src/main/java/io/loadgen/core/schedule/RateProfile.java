package io.loadgen.core.schedule;

import io.loadgen.config.ChronoDurations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * How the target request rate varies over the time since the profile took effect.
 *
 * <p>Rates are in requests per second and lie in {@code [0, }{@link #MAX_RATE}{@code ]}. A profile is an
 * immutable value; changing the load while a run goes on means handing the generator a new profile
 * ({@code LoadControl.setProfile}), whose clock starts at zero when it takes effect.
 *
 * <p>Implementations are records so that they cross RMI as plain data.
 */
public sealed interface RateProfile extends Serializable
        permits ConstantRate, StepRate, RampRate, SineRate, TraceRate {

    /** The highest rate any profile may ask for: 1,000,000 requests per second. */
    double MAX_RATE = 1_000_000.0;

    /**
     * The target rate at a point of the profile's own clock.
     *
     * @param sinceStart time since the profile took effect, {@code >= 0}
     * @return requests per second, in {@code [0, MAX_RATE]}
     */
    double rateAt(Duration sinceStart);

    /**
     * The end of the span, starting at {@code sinceStart}, over which {@link #rateAt} may be taken as constant.
     * Piecewise-constant profiles return the next step boundary; smooth ones a short slice (at most 10 ms), so that
     * a schedule integrating the rate stays exact to within that slice. A profile constant forever returns
     * {@link ChronoDurations#FOREVER}.
     *
     * @param sinceStart time since the profile took effect, {@code >= 0}
     * @return a time strictly after {@code sinceStart}
     */
    Duration constantUntil(Duration sinceStart);

    /**
     * The profile's natural length: the end of its last step, ramp or trace. A run without an explicit duration lasts
     * this long. After it, the profile holds its last rate.
     *
     * @return the length, or empty for a profile without end (constant, sine)
     */
    Optional<Duration> length();

    /** @return the highest rate the profile ever asks for, requests per second (sizes connection pools) */
    double peakRate();

    /** @return the profile in the {@code --profile} syntax that {@link RateProfiles#parse} reads back */
    String spec();

    /**
     * Checks a rate given by a user.
     *
     * @param what the name to use in the message
     * @param perSecond the rate
     * @return {@code perSecond}
     * @throws IllegalArgumentException naming the allowed range when the rate is negative, NaN, infinite or above
     *     {@link #MAX_RATE}
     */
    static double checkRate(String what, double perSecond) {
        if (Double.isNaN(perSecond) || Double.isInfinite(perSecond) || perSecond < 0 || perSecond > MAX_RATE) {
            throw new IllegalArgumentException(what + " must be a finite number of requests per second in [0, "
                    + (long) MAX_RATE + "], got " + perSecond);
        }
        return perSecond;
    }
}
