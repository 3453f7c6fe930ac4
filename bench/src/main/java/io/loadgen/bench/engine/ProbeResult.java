package io.loadgen.bench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The JSON the HttpCore probe ({@code io.loadgen.bench.probe.HttpCoreProbe --json FILE}) writes.
 *
 * @param offered the rate asked for, req/s
 * @param achieved completed (below 400) per second of the run
 * @param p50Ms latency median from the intended send time, ms
 * @param p99Ms latency p99, ms
 * @param maxMs latency max, ms
 * @param lagP99Ms send-lag p99, ms
 * @param errors failed requests
 * @param unfinished in flight or waiting at the end (-1 if not written)
 */
public record ProbeResult(double offered, double achieved, double p50Ms, double p99Ms, double maxMs, double lagP99Ms,
        long errors, long unfinished) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @param json the file's text
     * @return its figures (NaN where missing)
     * @throws IOException if it is not JSON
     */
    public static ProbeResult parse(String json) throws IOException {
        JsonNode j = MAPPER.readTree(json);
        return new ProbeResult(num(j, "offered"), num(j, "achieved"), num(j, "p50_ms"), num(j, "p99_ms"),
                num(j, "max_ms"), num(j, "lag_p99_ms"), j.path("errors").asLong(0), j.path("unfinished").asLong(-1));
    }

    private static double num(JsonNode j, String key) {
        return j.path(key).isNumber() ? j.path(key).asDouble() : Double.NaN;
    }
}
