package io.loadgen.core.metrics;

import java.io.Serializable;
import java.util.List;

/**
 * Whether the generator kept its schedule, so that the figures measure the target and not the generator (MLPerf
 * LoadGen's VALID/INVALID). A slow or failing target does not make a run invalid; a generator that sent late, made
 * requests wait for its own limits, dropped them, ran out of CPU or stalled in GC does. Each reason names its figure.
 *
 * @param valid whether no rule was broken
 * @param reasons one sentence per broken rule, empty when valid
 */
public record Verdict(boolean valid, List<String> reasons) implements Serializable {
    /** A verdict with nothing against it. */
    public static final Verdict VALID = new Verdict(true, List.of());

    public Verdict {
        reasons = List.copyOf(reasons);
        if (valid != reasons.isEmpty()) {
            throw new IllegalArgumentException("a verdict is valid exactly when it has no reasons");
        }
    }

    /** @return a verdict: valid when {@code reasons} is empty */
    public static Verdict of(List<String> reasons) {
        return new Verdict(reasons.isEmpty(), reasons);
    }

    /** @return {@code VALID}, or {@code INVALID: reason; reason} */
    public String describe() {
        return valid ? "VALID" : "INVALID: " + String.join("; ", reasons);
    }
}
