package io.loadgen.core.engine;

import io.loadgen.config.ChronoDurations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a run warms up before its measured window, so that the generator never charges its own cold start to the
 * target.
 *
 * <ul>
 * <li>{@link #selfWarm()}: before the first intended send, the generator drives a loopback sink it starts itself
 * with the run's own requests, so that the JIT compiles the scheduler, the transport and the recorder; the target
 * sees none of it. It takes {@link SelfWarm#BUDGET} at most.</li>
 * <li>{@link #atTarget()}: the first part of the run, at the target rate, left out of the summary (as wrk2's
 * calibration): the target's caches and the connection pool warm up in it. Its intervals are printed and written,
 * marked as warm-up. Rounded up to whole intervals.</li>
 * </ul>
 *
 * <p>Written {@code auto} (the default: self-warm only), {@code 0} (neither) or a duration such as {@code 5s}
 * (self-warm, then that long at the target).
 *
 * @param selfWarm whether to self-warm before the start
 * @param atTarget the start of the run left out of its summary, in {@code [0, 1 h]}
 */
public record Warmup(boolean selfWarm, Duration atTarget) implements Serializable {
    /** The longest warm-up at the target. */
    public static final Duration MAX = Duration.ofHours(1);
    /** Self-warm, nothing left out at the target: the default. */
    public static final Warmup AUTO = new Warmup(true, Duration.ZERO);
    /** No warm-up of any kind. */
    public static final Warmup NONE = new Warmup(false, Duration.ZERO);

    public Warmup {
        Objects.requireNonNull(atTarget, "atTarget");
        if (atTarget.isNegative() || atTarget.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("a warm-up at the target must be in [0, 1h], got " + atTarget);
        }
        if (!selfWarm && !atTarget.isZero()) {
            throw new IllegalArgumentException("a warm-up at the target comes with the self-warm");
        }
    }

    /**
     * @param text {@code auto}, {@code 0} (or {@code off}) or a duration ({@code 5s}; a bare number is in seconds)
     * @return the warm-up
     * @throws IllegalArgumentException for any other text
     */
    public static Warmup parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("auto")) {
            return AUTO;
        }
        if (t.equals("off") || t.equals("none")) {
            return NONE;
        }
        Duration d = ChronoDurations.parse(t, "s");
        return d.isZero() ? NONE : new Warmup(true, d);
    }

    /** @return the text {@link #parse} reads back */
    public String format() {
        if (!selfWarm) {
            return "0";
        }
        return atTarget.isZero() ? "auto" : ChronoDurations.formatExact(atTarget);
    }

    /** @param d a duration of warm-up at the target, {@code > 0}: self-warm and then that */
    public static Warmup atTarget(Duration d) {
        return d.isZero() ? AUTO : new Warmup(true, d);
    }
}
