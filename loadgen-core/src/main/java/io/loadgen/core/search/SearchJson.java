package io.loadgen.core.search;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.core.report.SummaryJson;
import io.loadgen.core.schedule.ChronoDurations;
import java.util.Locale;

/** The {@code search.json} document of a search: its bound, answer, confidence and every trial. */
public final class SearchJson {
    private SearchJson() {
    }

    /** @return a sentence on how sure the answer is: the final bracket, and whether the best trial was stable */
    public static String confidence(MaxRateSearch.Result r) {
        MaxRateSearch.Trial best = r.trials().stream().filter(MaxRateSearch.Trial::passed)
                .filter(t -> t.targetRate() == r.maxRate()).findFirst().orElse(null);
        String stable = best == null ? "no rate passed" : best.stable() ? "its trial was stable"
                : "its trial did not settle within the trial length";
        if (Double.isNaN(r.lowestFailing())) {
            return String.format(Locale.ROOT, "a lower bound: no rate up to %.1f/s failed; %s", r.maxRate(), stable);
        }
        return String.format(Locale.ROOT, "between %.1f/s (passed) and %.1f/s (failed), within %.1f%%; %s",
                r.maxRate(), r.lowestFailing(), 100 * r.bracketWidth(), stable);
    }

    /**
     * @param target the URL searched
     * @param config the search settings
     * @param r the answer
     * @return the document
     */
    public static ObjectNode of(String target, SearchConfig config, MaxRateSearch.Result r) {
        ObjectNode root = SummaryJson.MAPPER.createObjectNode();
        root.put("target", target);
        root.put("p99_bound_ms", ChronoDurations.millis(config.p99Bound()));
        root.put("max_error_ratio", config.maxErrorRatio());
        root.put("max_rate", r.maxRate());
        if (Double.isNaN(r.lowestFailing())) {
            root.putNull("lowest_failing_rate");
        } else {
            root.put("lowest_failing_rate", r.lowestFailing());
        }
        root.put("confidence", confidence(r));
        ArrayNode trials = root.putArray("trials");
        for (MaxRateSearch.Trial t : r.trials()) {
            ObjectNode n = trials.addObject();
            n.put("number", t.number());
            n.put("target_rate", t.targetRate());
            n.put("offered_rate", t.offeredRate());
            n.put("achieved_rate", t.achievedRate());
            n.put("p99_ms", ChronoDurations.millis(t.p99()));
            n.put("error_ratio", t.errorRatio());
            n.put("length_s", ChronoDurations.seconds(t.length()));
            n.put("stable", t.stable());
            n.put("passed", t.passed());
            n.put("result", t.reason());
        }
        return root;
    }
}
