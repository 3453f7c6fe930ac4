package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.loadgen.core.report.SummaryFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.testing.LoopbackServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen run} end to end against a real loopback server. */
class RunCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Cli.Result loadgen(String... args) {
        return Cli.run(args);
    }

    @Test
    void aRunWritesEveryResultFileAndPassesItsAssertions(@TempDir Path tmp) throws Exception {
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path dir = tmp.resolve("results");
            Cli.Result r = loadgen("run", "--target", server.uri("/x").toString(), "--rate", "300", "--duration", "3s",
                    "--arrival", "constant", "--record-interval", "500ms", "--out", dir.toString(), "-q",
                    "--assert", "p99<500ms", "--assert", "errors<1%", "--assert", "achieved>99%");
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("assertion passed: achieved>99%"), r.out());

            JsonNode s = JSON.readTree(dir.resolve("summary.json").toFile());
            for (String key : List.of("offered_rate", "sent", "completed", "ok", "errors", "dropped", "achieved_rate",
                    "latency_ms", "service_time_ms", "send_lag_ms", "duration_s")) {
                assertTrue(s.has(key), "summary.json lacks " + key);
            }
            for (String p : List.of("p50", "p90", "p99", "p999", "max", "mean")) {
                assertTrue(s.get("latency_ms").has(p) && s.get("service_time_ms").has(p), p);
            }
            assertTrue(s.get("send_lag_ms").has("p99") && s.get("send_lag_ms").has("max"));
            assertEquals(900, s.get("sent").asLong(), 1);
            assertEquals(s.get("sent").asLong(), s.get("ok").asLong());
            assertEquals(server.count(), s.get("completed").asLong());
            assertEquals(300, s.get("offered_rate").asDouble(), 3);
            assertEquals("completed", s.get("state").asText());

            List<String> timeline = Files.readAllLines(dir.resolve("timeline.csv"));
            assertEquals(ResultsWriter.TIMELINE_HEADER, timeline.get(0));
            assertEquals(s.get("intervals").asInt(), timeline.size() - 1, "one row per interval");
            assertTrue(timeline.size() - 1 >= 6, "3 s at 500 ms intervals");
            long rowsSent = timeline.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[9])).sum();
            assertEquals(s.get("sent").asLong(), rowsSent, "timeline rows add up to the summary");

            long histCount = 0;
            int untagged = 0;
            try (HistogramLogReader reader = new HistogramLogReader(dir.resolve("latency.hlog").toFile())) {
                EncodableHistogram h;
                while ((h = reader.nextIntervalHistogram()) != null) {
                    if (h.getTag() == null) {
                        untagged++;
                        histCount += ((org.HdrHistogram.Histogram) h).getTotalCount();
                    }
                }
            }
            assertEquals(timeline.size() - 1, untagged);
            assertEquals(s.get("latency_ms").get("count").asLong(), histCount, "the log holds every latency");
        }
    }

    @Test
    void aFailedAssertionExitsOneAndNamesIt(@TempDir Path tmp) throws Exception {
        try (LoopbackServer server = LoopbackServer.start(q -> {
            TimeUnit.MILLISECONDS.sleep(20);
            return 200;
        }, false)) {
            Cli.Result r = loadgen("run", "--target", server.uri("/slow").toString(), "--rate", "50", "--duration", "1s",
                    "--out", tmp.resolve("r").toString(), "-q", "--assert", "p50<1ms", "--assert", "errors<1%");
            assertEquals(Main.EXIT_ASSERTION_FAILED, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("ASSERTION FAILED: p50<1ms"), r.err());
            assertTrue(r.out().contains("assertion passed: errors<1%"), r.out());
            assertTrue(Files.exists(tmp.resolve("r/summary.json")), "results are written even when an assertion fails");
        }
    }

    @Test
    void badFlagsAndValuesFailWithAMessageNamingTheKey(@TempDir Path tmp) {
        Cli.Result rate = loadgen("run", "--target", "http://127.0.0.1:9/", "--rate", "-5", "--out", tmp.toString());
        assertEquals(Main.EXIT_USAGE, rate.code());
        assertTrue(rate.err().contains("for rate (from flag --rate)") && rate.err().contains("[0, 1000000]"),
                rate.err());

        Cli.Result profile = loadgen("run", "--target", "http://127.0.0.1:9/", "--profile", "square:5");
        assertEquals(Main.EXIT_USAGE, profile.code());
        assertTrue(profile.err().contains("for profile") && profile.err().contains("unknown profile kind"),
                profile.err());

        Cli.Result assertion = loadgen("run", "--target", "http://127.0.0.1:9/", "--assert", "p99<1%");
        assertEquals(Main.EXIT_USAGE, assertion.code());
        assertTrue(assertion.err().contains("p99 takes a duration"), assertion.err());

        Cli.Result target = loadgen("run", "--target", "not a url");
        assertEquals(Main.EXIT_USAGE, target.code());
        assertTrue(target.err().contains("--target"), target.err());

        Cli.Result unknown = loadgen("run", "--no-such-flag");
        assertEquals(Main.EXIT_USAGE, unknown.code());
        assertTrue(unknown.err().contains("--no-such-flag"), unknown.err());
    }

    @Test
    void sigtermEndsTheRunCleanlyAndStillWritesEveryFile(@TempDir Path tmp) throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        try (LoopbackServer server = LoopbackServer.ok()) {
            Path dir = tmp.resolve("interrupted");
            Process p = new ProcessBuilder(javaBin(), "-jar", jar.toString(), "run", "--target",
                    server.uri("/long").toString(), "--rate", "200", "--duration", "60s", "--out", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("out.txt").toFile())
                    .start();
            try {
                Path timeline = dir.resolve("timeline.csv");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!(Files.exists(timeline) && Files.readAllLines(timeline).size() >= 3)) {
                    assertTrue(System.nanoTime() < deadline, "no intervals written: "
                            + Files.readString(tmp.resolve("out.txt")));
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "loadgen did not exit on SIGTERM");
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(tmp.resolve("out.txt"));
            assertEquals(143, p.exitValue(), "exit code of a JVM ended by SIGTERM (128 + 15): " + out);
            SummaryFile s = SummaryFile.read(dir.resolve(SummaryFile.FILE));
            assertEquals("interrupted", s.state(), out);
            assertTrue(s.durationS() < 30, "ended early: " + s.durationS());
            assertTrue(s.completed() >= 400, "kept what ran: " + s.completed());
            assertEquals(s.sent(), s.completed() + s.unfinished(), "every sent request is accounted for");
            assertEquals(s.scheduled(), s.sent() + s.dropped(), "every scheduled request is accounted for");
            List<String> rows = Files.readAllLines(dir.resolve("timeline.csv"));
            assertEquals(s.intervals(), rows.size() - 1, "one timeline row per interval");
            int histograms = 0;
            try (org.HdrHistogram.HistogramLogReader r = new org.HdrHistogram.HistogramLogReader(
                    dir.resolve("latency.hlog").toFile())) {
                while (r.nextIntervalHistogram() != null) {
                    histograms++;
                }
            }
            assertEquals(3 * s.intervals(), histograms, "three histograms per interval in latency.hlog");
            String report = Files.readString(dir.resolve("report.html"));
            assertTrue(report.contains("interrupted") && report.contains("Generator verdict"), "report.html of the"
                    + " interrupted run");
            assertTrue(out.contains("Run interrupted"), out);
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : ""))
                .toString();
    }
}
