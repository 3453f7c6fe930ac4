package io.loadgen.bench.engine;

import java.util.List;

/**
 * What one tool did against one target: a rate search (open loop), closed-loop runs (wrk), or nothing (skipped).
 *
 * @param tool the tool's name
 * @param target the target's name
 * @param search the rate search, or null
 * @param closedLoop wrk's runs (the best is the saturation figure), or empty
 * @param skipped why the tool did not run, or null
 */
public record ToolOutcome(String tool, String target, HeldRateSearch.Result search, List<Measurement> closedLoop,
        String skipped) {

    /**
     * @param tool the tool
     * @param target the target
     * @param why why it did not run
     * @return a skipped outcome
     */
    public static ToolOutcome skipped(String tool, String target, String why) {
        return new ToolOutcome(tool, target, null, List.of(), why);
    }

    /** @return the best closed-loop run (highest achieved), or null */
    public Measurement bestClosedLoop() {
        return closedLoop.stream().filter(m -> !Double.isNaN(m.achieved()))
                .max((a, b) -> Double.compare(a.achieved(), b.achieved())).orElse(null);
    }

    /** @return every measurement, in the order run */
    public List<Measurement> measurements() {
        if (search != null) {
            return search.trials().stream().map(HeldRateSearch.Trial::m).toList();
        }
        return closedLoop;
    }
}
