package io.loadgen.core.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.schedule.ChronoDurations;
import java.util.Map;

/**
 * Turns a {@link RunSummary} into the {@code summary.json} document: rates in requests per second, latencies in
 * milliseconds, durations in seconds, snake_case keys (see {@code docs/results.md}).
 */
public final class SummaryJson {
    /** The mapper used for every JSON file loadgen writes. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {
    }

    /**
     * @param s the summary
     * @param settings the run's settings, echoed under {@code "settings"} (may be empty)
     * @return the document
     */
    public static ObjectNode of(RunSummary s, Map<String, String> settings) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("target", s.target());
        root.put("profile", s.profile());
        root.put("arrival", s.arrival());
        root.put("state", s.state());
        root.put("start", s.start().toString());
        root.put("duration_s", round(ChronoDurations.seconds(s.duration()), 3));
        root.put("warmup_s", round(ChronoDurations.seconds(s.warmup()), 3));
        root.put("intervals", s.intervals());
        root.put("offered_rate", round(s.offeredRate(), 3));
        root.put("achieved_rate", round(s.achievedRate(), 3));
        root.put("scheduled", s.counts().scheduled());
        root.put("sent", s.counts().sent());
        root.put("completed", s.counts().completed());
        root.put("completed_in_time", s.completedInTime());
        root.put("ok", s.counts().ok());
        root.set("errors", errors(s.counts().errors()));
        root.put("error_ratio", round(s.errorRatio(), 6));
        root.put("dropped", s.counts().dropped());
        root.set("latency_ms", latency(s.latency()));
        root.set("service_time_ms", latency(s.serviceTime()));
        root.set("send_lag_ms", latency(s.sendLag()));
        ObjectNode st = root.putObject("settings");
        settings.forEach(st::put);
        return root;
    }

    private static ObjectNode errors(ErrorCounts e) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("total", e.total());
        n.put("connect", e.connect());
        n.put("timeout", e.timeout());
        n.put("http_4xx", e.http4xx());
        n.put("http_5xx", e.http5xx());
        n.put("other", e.other());
        return n;
    }

    private static ObjectNode latency(LatencySummary l) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("count", l.count());
        n.put("p50", ms(l.p50()));
        n.put("p90", ms(l.p90()));
        n.put("p99", ms(l.p99()));
        n.put("p999", ms(l.p999()));
        n.put("max", ms(l.max()));
        n.put("mean", ms(l.mean()));
        return n;
    }

    private static double ms(java.time.Duration d) {
        return round(ChronoDurations.millis(d), 3);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
