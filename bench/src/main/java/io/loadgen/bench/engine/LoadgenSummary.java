package io.loadgen.bench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The figures the engine bench reads from a loadgen run's {@code summary.json}. It is read as a JSON tree rather
 * than as loadgen-core's record, so that a jar built from another commit (with fields added or removed) can still
 * be measured; a missing figure is NaN (or -1 for counts).
 *
 * @param start wall-clock time of the first intended send
 * @param durationS the measured window, s
 * @param offered scheduled / duration, req/s
 * @param achieved completed / duration, req/s
 * @param p50Ms latency median from the intended send time, ms
 * @param p99Ms latency p99 from the intended send time, ms
 * @param sendLagP99Ms send lag p99, ms
 * @param valid the generator's verdict
 * @param reasons why the verdict is INVALID
 * @param transport "lean" or "httpclient"
 * @param counts scheduled, sent, completed, ok, errors, dropped, unfinished
 */
public record LoadgenSummary(Instant start, double durationS, double offered, double achieved, double p50Ms,
        double p99Ms, double sendLagP99Ms, boolean valid, List<String> reasons, String transport,
        Measurement.Accounting counts) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param file a summary.json
     * @return its figures
     * @throws IOException if it cannot be read or has no start time
     */
    public static LoadgenSummary read(Path file) throws IOException {
        return of(MAPPER.readTree(file.toFile()));
    }

    /**
     * @param json the text of a summary.json
     * @return its figures
     * @throws IOException if it is not JSON or has no start time
     */
    public static LoadgenSummary parse(String json) throws IOException {
        return of(MAPPER.readTree(json));
    }

    private static LoadgenSummary of(JsonNode j) throws IOException {
        if (!j.path("start").isTextual()) {
            throw new IOException("summary.json has no start time");
        }
        List<String> reasons = new ArrayList<>();
        j.path("verdict").path("reasons").forEach(r -> reasons.add(r.asText()));
        Measurement.Accounting counts = new Measurement.Accounting(count(j, "scheduled"), count(j, "sent"),
                count(j, "completed"), count(j, "ok"), j.path("errors").path("total").asLong(-1), count(j, "dropped"),
                count(j, "unfinished"));
        return new LoadgenSummary(Instant.parse(j.path("start").asText()), num(j.path("duration_s")),
                num(j.path("offered_rate")), num(j.path("achieved_rate")), num(j.path("latency_ms").path("p50")),
                num(j.path("latency_ms").path("p99")), num(j.path("send_lag_ms").path("p99")),
                j.path("verdict").path("valid").asBoolean(false), List.copyOf(reasons),
                j.path("transport").asText("?"), counts);
    }

    private static double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    private static long count(JsonNode j, String key) {
        return j.path(key).asLong(-1);
    }
}
