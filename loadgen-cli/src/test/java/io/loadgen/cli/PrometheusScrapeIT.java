package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.core.testing.LoopbackServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes a running {@code loadgen run --metrics-port} every
 * second; its query API returns the run's request counter and latency histogram, and at the end they agree with
 * {@code summary.json}.
 */
class PrometheusScrapeIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return the value of an instant query, or -1 when it has no result yet */
    private static double query(HttpClient http, int port, String promql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode result = JSON.readTree(r.body()).path("data").path("result");
        return result.isEmpty() ? -1 : result.get(0).path("value").get(1).asDouble();
    }

    @Test
    void prometheusScrapesTheRunAndItsFiguresAgreeWithTheSummary(@TempDir Path tmp) throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Prometheus is missing: apt-get install prometheus (.ci/run does)");
        int metricsPort = freePort();
        int prometheusPort = freePort();
        Files.writeString(tmp.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 900ms",
                "scrape_configs:",
                "  - job_name: loadgen",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metricsPort + "']", ""));
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + tmp.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try (LoopbackServer target = LoopbackServer.ok()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + "/-/ready"))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    // starting
                }
                assertTrue(prometheus.isAlive() && System.nanoTime() < deadline, "Prometheus did not start: "
                        + Files.readString(tmp.resolve("prometheus.log")));
                Thread.sleep(200);
            }
            // Prometheus is ready before its scrape loop has begun (it waits up to one interval, and more while it
            // starts): wait for its first try at the endpoint, which nothing answers yet, so the run's whole life
            // is scraped
            while (!JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort
                    + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("data")
                    .path("activeTargets").path(0).path("health").asText("unknown").equals("down")) {
                assertTrue(System.nanoTime() < deadline, "Prometheus did not try its target within 60 s: "
                        + Files.readString(tmp.resolve("prometheus.log")));
                Thread.sleep(200);
            }
            Path out = tmp.resolve("run-prom");
            Cli.Result r = Cli.run("run", "--target", target.uri("/p").toString(), "--rate", "200", "--duration", "8s",
                    "--metrics-port", Integer.toString(metricsPort), "--metrics-linger", "4s", "--out",
                    out.toString(), "-q");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("metrics: http://127.0.0.1:" + metricsPort + "/metrics"), r.out());

            JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
            String run = "run=\"run-prom\",agent=\"local\"";
            // the last scrapes (the endpoint lingered 4 s at 1 s scrapes) hold the final figures; Prometheus keeps
            // them queryable for 5 minutes after
            double ok = query(http, prometheusPort, "loadgen_requests_total{outcome=\"ok\"," + run + "}");
            double scheduled = query(http, prometheusPort, "loadgen_requests_scheduled_total{" + run + "}");
            double count = query(http, prometheusPort, "loadgen_latency_seconds_count{" + run + "}");
            double fast = query(http, prometheusPort, "loadgen_latency_seconds_bucket{le=\"0.05\"," + run + "}");
            double sum = query(http, prometheusPort, "loadgen_latency_seconds_sum{" + run + "}");
            assertEquals(s.get("ok").asLong(), ok, 0, "requests ok: Prometheus vs summary.json");
            assertEquals(s.get("scheduled").asLong(), scheduled, 0, "scheduled");
            assertEquals(s.get("latency_ms").get("count").asLong(), count, 0, "latency histogram count");
            assertTrue(fast > 0 && fast <= count, "a latency bucket: " + fast + " of " + count);
            assertEquals(s.get("latency_ms").get("mean").asDouble() / 1000 * count, sum, sum * 0.01 + 1e-3,
                    "the histogram's sum is count x the summary's mean");
            assertTrue(ok > 1000, "a run of 8 s at 200/s: " + ok);
            // the scrapes came while the run went on: the counter rose over its life
            double earlier = query(http, prometheusPort, "min_over_time(loadgen_requests_scheduled_total{" + run
                    + "}[1m])");
            assertTrue(earlier < scheduled, "scraped live, not only at the end: " + earlier + " then " + scheduled);
            double scrapes = query(http, prometheusPort, "count_over_time(loadgen_requests_scheduled_total{" + run
                    + "}[1m])");
            assertTrue(scrapes >= 8, "a scrape a second through the run and its linger: " + scrapes + " (Prometheus"
                    + " tried " + query(http, prometheusPort, "count_over_time(up[1m])") + " times, "
                    + query(http, prometheusPort, "sum_over_time(up[1m])") + " answered, the slowest in "
                    + query(http, prometheusPort, "max_over_time(scrape_duration_seconds[1m])") + " s)");

            // the Grafana dashboard's load panels, run against this Prometheus on this run: each gives a series
            JsonNode dashboard = JSON.readTree(Path.of("..", "deploy", "grafana", "loadgen-dashboard.json").toFile());
            int asked = 0;
            for (JsonNode panel : dashboard.path("panels")) {
                for (JsonNode query : panel.path("targets")) {
                    String expr = query.path("expr").asText();
                    if (!expr.contains("loadgen_")) {
                        continue; // the server's panels: no server scraped here
                    }
                    String promql = expr.replace("$__rate_interval", "1m").replace("$run", "run-prom")
                            .replace("$agent", "local|all");
                    HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + prometheusPort + "/api/v1/query?query=" + URLEncoder.encode(promql,
                                    StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
                    JsonNode result = JSON.readTree(answer.body());
                    assertEquals("success", result.path("status").asText(), panel.path("title") + ": " + promql
                            + " -> " + answer.body());
                    assertTrue(result.path("data").path("result").size() > 0 || expr.contains("outcome!=\"ok\""),
                            panel.path("title") + ": no series for " + promql);
                    asked++;
                }
            }
            assertTrue(asked >= 10, "the dashboard's load queries: " + asked);
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }
}
