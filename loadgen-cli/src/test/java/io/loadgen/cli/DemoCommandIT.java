package io.loadgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loadgen demo} end to end, as a newcomer runs it: a fresh home, the default model, a short duration. */
class DemoCommandIT {

    /** Runs {@code loadgen demo ARGS} from the packaged jar in a JVM of its own, home {@code home}; @return its output */
    private static String demo(Path home, String... args) throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        assertTrue(Files.exists(jar), "run after package: " + jar.toAbsolutePath());
        Path log = home.resolve("demo-" + System.nanoTime() + ".log");
        java.util.List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-Duser.home=" + home, "-jar", jar.toString(), "demo"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(4, TimeUnit.MINUTES), "demo did not finish: " + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static final java.util.regex.Pattern SERVER_PID = java.util.regex.Pattern.compile(
            "server process: pid (\\d+) on ");

    /** The bundled server ran as a child process, wrote its log into the results dir, and is gone. */
    private static void assertServerGone(String out, Path dir) throws Exception {
        java.util.regex.Matcher m = SERVER_PID.matcher(out);
        assertTrue(m.find(), "the demo names its server's process: " + out);
        long pid = Long.parseLong(m.group(1));
        assertTrue(pid != ProcessHandle.current().pid());
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "server " + pid + " outlived the demo");
        String log = Files.readString(dir.resolve("server.log"));
        assertTrue(log.contains("ready: model"), log);
    }

    /** The table per step and the knee were printed, and steps.json and the report hold them. */
    private static JsonNode assertStepsAndKnee(String out, Path dir, boolean checked) throws Exception {
        assertTrue(out.contains("the knee: ") || out.contains("no knee: "), "the knee is named: " + out);
        assertTrue(out.contains("503s"), "the table has a 503s column: " + out);
        JsonNode steps = new ObjectMapper().readTree(dir.resolve("steps.json").toFile());
        assertEquals(8, steps.get("steps").size(), "a row per step: " + steps);
        assertEquals(checked, steps.get("checked").asBoolean());
        assertTrue(steps.get("p99_bound_ms").asDouble() > 0);
        double first = steps.get("steps").get(0).get("target_rate").asDouble();
        double last = steps.get("steps").get(7).get("target_rate").asDouble();
        assertEquals(15, last / first, 0.5, "10% to 150% of the probed capacity: " + first + " to " + last);
        for (JsonNode step : steps.get("steps")) {
            assertTrue(out.contains(String.format(java.util.Locale.ROOT, "%11.1f", step.get("achieved_rate")
                    .asDouble())), "the printed table has step " + step.get("step") + ": " + out);
        }
        if (!steps.get("knee_step").isNull()) {
            int knee = steps.get("knee_step").asInt();
            assertTrue(steps.get("steps").get(knee - 1).get("within_bound").asBoolean());
            for (int i = knee; i < 8; i++) {
                assertTrue(!steps.get("steps").get(i).get("within_bound").asBoolean(), "the knee is the highest");
            }
        }
        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(report.contains("<h2>Steps</h2>") && report.contains(steps.get("knee").asText().substring(1)),
                "report.html shows the steps and the knee");
        return steps;
    }

    @Test
    void sigtermStopsTheDemoWritesItsResultsAndItsServerIsGone(@TempDir Path home) throws Exception {
        Path jar = Path.of("target", "loadgen-cli.jar");
        Path dir = home.resolve("demo-stopped");
        Path log = home.resolve("demo-stopped.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-jar", jar.toString(), "demo", "--duration", "60s", "--port", "0", "--out",
                dir.toString(), "-q").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            while (!Files.readString(log).contains("driving it open-loop")) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "the run did not start: " + Files.readString(log));
                TimeUnit.MILLISECONDS.sleep(200);
            }
            TimeUnit.SECONDS.sleep(4);
            p.destroy(); // SIGTERM, as Ctrl-C does
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the demo did not stop: " + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        assertServerGone(out, dir);
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("interrupted", s.get("state").asText(), out);
        assertTrue(s.get("completed").asLong() > 0, "what ran is counted: " + s);
        assertEquals(0, s.get("errors").get("connect").asLong() + s.get("errors").get("other").asLong(),
                "the server outlived the run's drain: " + s);
        assertTrue(Files.exists(dir.resolve("report.html")) && Files.exists(dir.resolve("steps.json")), out);
    }

    @Test
    void theDemoDrivesTheBundledServerInRisingStepsAndWritesAResultsDir(@TempDir Path home) throws Exception {
        Path dir = home.resolve("demo-results");
        String out = demo(home, "--duration", "8s", "--port", "0", "--out", dir.toString(), "-q");
        assertTrue(out.contains("capacity probe:"), out);
        assertServerGone(out, dir);
        assertStepsAndKnee(out, dir, false);

        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        for (String key : List.of("offered_rate", "sent", "completed", "ok", "errors", "dropped", "achieved_rate",
                "latency_ms", "service_time_ms", "send_lag_ms", "duration_s")) {
            assertTrue(s.has(key), "summary.json lacks " + key);
        }
        assertEquals("completed", s.get("state").asText());
        assertTrue(s.get("profile").asText().startsWith("steps:"), "rising steps: " + s.get("profile"));
        assertTrue(s.get("ok").asLong() > 50, "the server answered: " + s);
        assertEquals("mobilenet_v2_1.0_224-untrained", s.get("settings").get("model").asText());

        List<String> rows = Files.readAllLines(dir.resolve("timeline.csv"));
        assertEquals(s.get("intervals").asInt(), rows.size() - 1, "one row per interval");
        double firstOffered = Double.parseDouble(rows.get(1).split(",")[4]);
        double lastOffered = Double.parseDouble(rows.get(rows.size() - 2).split(",")[4]);
        assertTrue(lastOffered > 3 * firstOffered, "the target rate rose from " + firstOffered + " to " + lastOffered);
        int histograms = 0;
        try (HistogramLogReader r = new HistogramLogReader(dir.resolve("latency.hlog").toFile())) {
            EncodableHistogram h;
            while ((h = r.nextIntervalHistogram()) != null) {
                histograms += h.getTag() == null ? 1 : 0;
            }
        }
        assertEquals(rows.size() - 1, histograms);

        String report = Files.readString(dir.resolve("report.html"));
        assertTrue(out.contains("report: "), out);
        for (String chart : List.of("Latency over time", "Offered vs achieved rate", "Errors and dropped",
                "In flight", "Latency by percentile")) {
            assertTrue(report.contains(chart), "report.html has the chart " + chart);
        }
        assertTrue(report.split("<svg").length - 1 >= 5, "charts are inline SVG");
        assertTrue(!report.contains("http://") || !report.matches("(?s).*<(script|link|img)[^>]+(src|href)=\"https?:.*"),
                "nothing is loaded from the network");
    }

    @Test
    void theFashionMnistDemoChecksEveryAnswerAndItsAccuracyIsTheModelsUnderLoad(@TempDir Path home) throws Exception {
        assertTrue(io.loadgen.server.model.FashionMnist.isAvailable(io.loadgen.server.model.FashionMnist.DEBIAN_DIR),
                "the Fashion-MNIST test set is missing: apt-get install dataset-fashion-mnist (.ci/run does)");
        Path dir = home.resolve("demo-fm");
        String out = demo(home, "--model", "../models/fashion-mnist", "--duration", "16s", "--port", "0", "--out",
                dir.toString(), "-q");
        assertTrue(out.contains("checking every answer against its label"), out);
        assertTrue(out.contains("accuracy under load"), out);
        assertServerGone(out, dir);
        JsonNode stepsFile = assertStepsAndKnee(out, dir, true);
        for (JsonNode step : stepsFile.get("steps")) {
            if (step.get("ok").asLong() + step.get("wrong").asLong() >= 200) {
                assertTrue(step.get("accuracy").asDouble() > 0.85, "step " + step + ": batching must not mix up"
                        + " images as load rises");
            }
        }

        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        JsonNode checks = s.get("checks");
        // the model's answers: right (ok) and wrong (failed a check); a request shed past the knee has no answer
        long right = s.get("ok").asLong();
        long wrong = s.get("errors").get("check").asLong();
        long n = right + wrong;
        assertTrue(n >= 1000, "enough answers to measure accuracy: " + checks);
        assertEquals(checks.get("passed").asLong(), right);
        assertEquals(checks.get("failed").asLong(), wrong + s.get("errors").get("http_4xx").asLong()
                + s.get("errors").get("http_5xx").asLong(), "the checks count an HTTP error as failed: " + s);
        double ratio = (double) right / n;
        // the committed model's test accuracy is 0.9126 (models/README.md); the run sees the test images in order,
        // so allow four standard errors of a sample of n
        double sigma = Math.sqrt(0.9126 * (1 - 0.9126) / n);
        assertEquals(0.9126, ratio, 4 * sigma + 0.005, "accuracy under load is the model's: " + s);
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "accuracy over the run: %.4f of %d answers",
                ratio, n)), out);
    }
}
