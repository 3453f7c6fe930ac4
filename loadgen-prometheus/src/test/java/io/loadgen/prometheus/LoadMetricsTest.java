package io.loadgen.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The run's figures as Prometheus scrapes them: real HTTP, the text format, counted as summary.json counts. */
class LoadMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*})? ([-0-9.eE+]+|NaN|\\+Inf)$");

    private static IntervalStats interval(long index, boolean warmup, Counts c, double targetRate, int inFlight) {
        return new IntervalStats(index, warmup, Instant.EPOCH.plusSeconds(index), Duration.ofSeconds(1), targetRate, c,
                inFlight, 2, LatencySummary.EMPTY, LatencySummary.EMPTY, LatencySummary.EMPTY, 0);
    }

    private static Histogram micros(long... values) {
        Histogram h = new Histogram(3);
        for (long v : values) {
            h.recordValue(v);
        }
        return h;
    }

    /** @return every sample of the scrape, by its name and labels as written */
    private static Map<String, Double> scrape(URI uri) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(
                        m.group(3).replace("+Inf", "Infinity")));
            }
        }
        return samples;
    }

    @Test
    void aScrapeHasTheRunsCountsItsGaugesAndItsLatencyAsACumulativeHistogramWarmUpLeftOut() throws Exception {
        LoadMetrics m = new LoadMetrics("run-1", "local");
        // warm-up: not counted, as summary.json does not count it; the gauges follow it
        m.onInterval(interval(0, true, new Counts(50, 50, 0, 50, 50, ErrorCounts.NONE, 0, 0), 50, 1),
                new IntervalHistograms(micros(100, 200), micros(90), micros(5)));
        // 10 scheduled: 6 ok, a timeout, two 503s (shed), one dropped
        Counts c = new Counts(10, 9, 1, 9, 6, new ErrorCounts(0, 1, 0, 2, 0, 0, 2), 0, 0);
        m.onInterval(interval(1, false, c, 100, 7), new IntervalHistograms(
                micros(50, 800, 800, 3_000, 3_000, 3_000, 40_000, 2_000_000, 2_000_000),
                micros(40, 700), micros(10, 20, 2_000)));
        try (MetricsEndpoint e = MetricsEndpoint.start(InetAddress.getLoopbackAddress(), 0, m)) {
            assertTrue(e.uri().toString().startsWith("http://127.0.0.1:") && e.port() > 0, e.uri().toString());
            Map<String, Double> s = scrape(e.uri());
            String l = "{agent=\"local\",run=\"run-1\"}";
            assertEquals(10, s.get("loadgen_requests_scheduled_total" + l));
            assertEquals(9, s.get("loadgen_requests_sent_total" + l));
            assertEquals(1, s.get("loadgen_requests_dropped_total" + l));
            assertEquals(6, s.get("loadgen_requests_total{agent=\"local\",outcome=\"ok\",run=\"run-1\"}"));
            assertEquals(1, s.get("loadgen_requests_total{agent=\"local\",outcome=\"timeout\",run=\"run-1\"}"));
            assertEquals(2, s.get("loadgen_requests_total{agent=\"local\",outcome=\"http_5xx\",run=\"run-1\"}"));
            assertEquals(2, s.get("loadgen_requests_shed_total" + l));
            assertEquals(100, s.get("loadgen_target_rate_requests_per_second" + l));
            assertEquals(7, s.get("loadgen_in_flight_requests" + l));
            // cumulative buckets: <= 100 us: 1; <= 1 ms: 3; <= 5 ms: 6; <= 50 ms: 7; <= 2.5 s: 9
            String b = "loadgen_latency_seconds_bucket{agent=\"local\",run=\"run-1\",le=\"%s\"}";
            assertEquals(1, s.get(String.format(b, "1.0E-4")), "the first bucket");
            assertEquals(3, s.get(String.format(b, "0.001")));
            assertEquals(6, s.get(String.format(b, "0.005")));
            assertEquals(7, s.get(String.format(b, "0.05")));
            assertEquals(7, s.get(String.format(b, "1.0")));
            assertEquals(9, s.get(String.format(b, "2.5")));
            assertEquals(9, s.get(String.format(b, "+Inf")));
            assertEquals(9, s.get("loadgen_latency_seconds_count" + l));
            assertEquals(4.05065, s.get("loadgen_latency_seconds_sum" + l), 0.01, "the sum, to 3 digits");
            assertEquals(3, s.get("loadgen_send_lag_seconds_count" + l));
            assertTrue(s.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")),
                    "the generator JVM's own metrics too");
        }
    }

    @Test
    void anAgentServesItsCurrentRunUnderItsOwnName() {
        CurrentRunMetrics agent = new CurrentRunMetrics("agent-a");
        assertEquals(0, agent.collect().size(), "nothing before the first run");
        agent.begin("run-1").onInterval(interval(0, false, new Counts(5, 5, 0, 5, 5, ErrorCounts.NONE, 0, 0), 5, 0),
                new IntervalHistograms(micros(10), micros(10), micros(1)));
        LoadMetrics second = agent.begin("run-2");
        assertTrue(agent.collect().stream().allMatch(snap -> snap.getDataPoints().stream()
                .allMatch(p -> "run-2".equals(p.getLabels().get("run")))), "the current run's");
        assertEquals(0, second.collect().stream().filter(x -> x.getMetadata().getName()
                .equals("loadgen_requests_scheduled")).findFirst().orElseThrow().getDataPoints().stream()
                .mapToDouble(p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p)
                        .getValue()).sum());
    }
}
