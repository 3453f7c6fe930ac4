package io.loadgen.core.engine;

import io.loadgen.core.config.CoreSettings;
import io.loadgen.core.schedule.ArrivalProcess.Arrival;
import io.loadgen.core.schedule.ArrivalShare;
import io.loadgen.core.schedule.ConstantRate;
import io.loadgen.core.schedule.RateProfile;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run does over time: open loop (a rate profile and an arrival process) or closed loop (sessions, each sending
 * its next request when its previous one has ended, after a think time), for a length and/or a count of requests.
 *
 * @param profile the rate profile at the start (it can be changed while the run goes on); unused in closed loop
 * @param arrival constant or Poisson arrivals (open loop)
 * @param seed seed of the Poisson process, so that a run can be repeated exactly
 * @param duration how long to schedule requests, {@code > 0}; {@code null} for the profile's own length, or until
 *     stopped (or until {@code count}) when the profile has none
 * @param concurrency 0 for open loop; else the number of closed-loop sessions, {@code >= 1}
 * @param thinkTime in closed loop, the pause of a session between the end of a request and its next, {@code >= 0}
 * @param count the run ends after this many requests have been scheduled, or 0 for no such bound
 * @param share the part of the schedule's arrivals this generator sends, when several share it (agents under a
 *     coordinator); {@link ArrivalShare#WHOLE} alone. The profile stays the whole schedule's: the rate this generator
 *     sends is the profile's times {@code share.fraction()}. Open loop only
 */
public record RunPlan(RateProfile profile, Arrival arrival, long seed, Duration duration, int concurrency,
        Duration thinkTime, long count, ArrivalShare share) implements Serializable {
    /** The most closed-loop sessions. */
    public static final int MAX_CONCURRENCY = 100_000;

    public RunPlan {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(thinkTime, "thinkTime");
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new IllegalArgumentException("duration must be > 0, got " + duration);
        }
        if (concurrency < 0 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be in [0, " + MAX_CONCURRENCY + "], got "
                    + concurrency);
        }
        if (thinkTime.isNegative()) {
            throw new IllegalArgumentException("thinkTime must be >= 0, got " + thinkTime);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        share = share == null ? ArrivalShare.WHOLE : share;
    }

    /** A plan of the whole schedule. */
    public RunPlan(RateProfile profile, Arrival arrival, long seed, Duration duration, int concurrency,
            Duration thinkTime, long count) {
        this(profile, arrival, seed, duration, concurrency, thinkTime, count, ArrivalShare.WHOLE);
    }

    /** An open-loop plan without a count. */
    public RunPlan(RateProfile profile, Arrival arrival, long seed, Duration duration) {
        this(profile, arrival, seed, duration, 0, Duration.ZERO, 0);
    }

    /**
     * @param sessions closed-loop sessions, {@code >= 1}
     * @param thinkTime pause between a session's requests
     * @param duration length, or {@code null} for until stopped (or until {@code count})
     * @param count requests at most, or 0
     * @return a closed-loop plan
     */
    public static RunPlan closed(int sessions, Duration thinkTime, Duration duration, long count) {
        if (sessions < 1) {
            throw new IllegalArgumentException("a closed loop needs at least 1 session, got " + sessions);
        }
        return new RunPlan(new ConstantRate(0), Arrival.CONSTANT, 1, duration, sessions, thinkTime, count);
    }

    /** @return whether requests follow sessions (closed loop) rather than a schedule (open loop) */
    public boolean isClosedLoop() {
        return concurrency > 0;
    }

    /**
     * @return the plan of these values: closed loop when {@code concurrency} is set (its first level), else the
     *     profile (or a constant {@code rate}), the arrival process, the seed and the duration; the count either way
     */
    public static RunPlan from(io.loadgen.config.Settings s) {
        RateProfile p = s.get(CoreSettings.PROFILE).orElseGet(() -> new ConstantRate(s.get(CoreSettings.RATE)));
        int sessions = s.get(CoreSettings.CONCURRENCY).first();
        return new RunPlan(sessions > 0 ? new ConstantRate(0) : p, s.get(CoreSettings.ARRIVAL),
                s.get(CoreSettings.SEED), s.get(CoreSettings.DURATION).orElse(null), sessions,
                s.get(CoreSettings.THINK_TIME), s.get(CoreSettings.COUNT));
    }

    /** @return this plan with another duration */
    public RunPlan withDuration(Duration d) {
        return new RunPlan(profile, arrival, seed, d, concurrency, thinkTime, count, share);
    }

    /** @return this plan with another profile */
    public RunPlan withProfile(RateProfile p) {
        return new RunPlan(p, arrival, seed, duration, concurrency, thinkTime, count, share);
    }

    /** @return this plan with another number of closed-loop sessions */
    public RunPlan withConcurrency(int sessions) {
        return new RunPlan(profile, arrival, seed, duration, sessions, thinkTime, count, share);
    }

    /** @return this plan with another bound on the requests scheduled (0 for none) */
    public RunPlan withCount(long n) {
        return new RunPlan(profile, arrival, seed, duration, concurrency, thinkTime, n, share);
    }

    /** @return this plan with another share of the schedule */
    public RunPlan withShare(ArrivalShare s) {
        return new RunPlan(profile, arrival, seed, duration, concurrency, thinkTime, count, s);
    }

    /** @return the planned length: the duration, the profile's length (open loop), or empty for "until stopped" */
    public Optional<Duration> length() {
        if (duration != null) {
            return Optional.of(duration);
        }
        return isClosedLoop() ? Optional.empty() : profile.length();
    }
}
