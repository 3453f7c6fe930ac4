package io.loadgen.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.loadgen.core.metrics.Counts;
import io.loadgen.core.metrics.GeneratorLoad;
import io.loadgen.core.metrics.Verdict;
import io.loadgen.core.metrics.ErrorCounts;
import io.loadgen.core.metrics.IntervalHistograms;
import io.loadgen.core.metrics.IntervalStats;
import io.loadgen.core.metrics.LatencySummary;
import io.loadgen.core.metrics.RunSummary;
import io.loadgen.core.metrics.RunTotals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsWriterTest {
    private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");
    private static final List<String> COLUMNS = Arrays.asList(ResultsWriter.TIMELINE_HEADER.split(","));

    @TempDir
    Path tmp;

    private final List<IntervalStats> stats = new ArrayList<>();
    private final List<IntervalHistograms> histograms = new ArrayList<>();
    private final RunTotals totals = new RunTotals();

    private static Histogram spread(SplittableRandom rnd, int n, long meanMicros) {
        Histogram h = new Histogram(3);
        for (int i = 0; i < n; i++) {
            h.recordValue(1 + (long) (meanMicros * -Math.log(1 - rnd.nextDouble())));
        }
        return h;
    }

    @BeforeEach
    void threeIntervals() {
        SplittableRandom rnd = new SplittableRandom(4);
        long[][] c = { // scheduled, sent, dropped, ok, connect, timeout, 4xx, 5xx, other, inFlight, queued
            {100, 98, 2, 90, 1, 2, 3, 1, 0, 5, 0},
            {200, 200, 0, 180, 0, 0, 10, 5, 1, 12, 3},
            {300, 290, 10, 250, 4, 6, 0, 0, 2, 40, 17}};
        for (int i = 0; i < c.length; i++) {
            long[] r = c[i];
            ErrorCounts e = new ErrorCounts(r[4], r[5], r[6], r[7], r[8]);
            long completed = r[3] + e.total();
            Counts counts = new Counts(r[0], r[1], r[2], completed, r[3], e, 0, 0);
            // responses: ok + 4xx + 5xx
            int responses = (int) (r[3] + r[6] + r[7]);
            Histogram lat = spread(rnd, responses, 2000L * (i + 1));
            Histogram svc = spread(rnd, responses, 800L * (i + 1));
            Histogram lag = spread(rnd, (int) r[0], 30);
            IntervalStats s = new IntervalStats(i, false, START.plusSeconds(i), Duration.ofSeconds(1), 100.0 * (i + 1),
                    counts, (int) r[9], (int) r[10], LatencySummary.of(lat), LatencySummary.of(svc),
                    LatencySummary.of(lag), 0);
            IntervalHistograms h = new IntervalHistograms(lat, svc, lag);
            stats.add(s);
            histograms.add(h);
            totals.add(counts, h, completed);
        }
    }

    private RunSummary summary() {
        return new RunSummary("http://127.0.0.1:8091/v1/classify", "steps:100@1s,200@1s,300@1s", "poisson", START,
                Duration.ofMillis(3000), Duration.ZERO, "completed", totals.intervals(), totals.counts(),
                totals.counts().completed() - 3, totals.latency(),
                totals.serviceTime(), totals.sendLag(), Verdict.of(List.of("send lag p99 2ms is over 1ms")),
                GeneratorLoad.NONE, "", 0, "httpclient");
    }

    private static List<String> rows(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("timeline.csv"));
        assertEquals(ResultsWriter.TIMELINE_HEADER, lines.get(0));
        return lines.subList(1, lines.size());
    }

    private static String col(String row, String name) {
        int i = COLUMNS.indexOf(name);
        assertTrue(i >= 0, "no column " + name);
        return row.split(",", -1)[i];
    }

    private static List<EncodableHistogram> readLog(Path file) throws IOException {
        List<EncodableHistogram> out = new ArrayList<>();
        HistogramLogReader reader = new HistogramLogReader(file.toFile());
        try {
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null) {
                out.add(h);
            }
        } finally {
            reader.close();
        }
        return out;
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }

    @Test
    void timelineHasTheHeaderAndOneRowPerInterval() throws IOException {
        Path dir = tmp.resolve("a/b/run1");
        try (ResultsWriter w = new ResultsWriter(dir, Map.of())) {
            assertEquals(dir, w.dir());
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i));
            }
            w.finish(summary());
        }
        List<String> rows = rows(dir);
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            String row = rows.get(i);
            IntervalStats s = stats.get(i);
            Counts c = s.counts();
            assertEquals(COLUMNS.size(), row.split(",", -1).length, row);
            assertEquals(Integer.toString(i), col(row, "interval"));
            assertEquals(s.start().toString(), col(row, "start"));
            assertEquals(i, Double.parseDouble(col(row, "elapsed_s")), 1e-9);
            assertEquals(1.0, Double.parseDouble(col(row, "length_s")), 1e-9);
            assertEquals(100.0 * (i + 1), Double.parseDouble(col(row, "target_rate")), 1e-9);
            assertEquals(c.scheduled(), Long.parseLong(col(row, "scheduled")));
            assertEquals(c.scheduled(), Double.parseDouble(col(row, "offered_rate")), 1e-9);
            assertEquals(c.completed(), Double.parseDouble(col(row, "achieved_rate")), 1e-9);
            assertEquals(c.ok(), Double.parseDouble(col(row, "ok_rate")), 1e-9);
            assertEquals(c.sent(), Long.parseLong(col(row, "sent")));
            assertEquals(c.completed(), Long.parseLong(col(row, "completed")));
            assertEquals(c.ok(), Long.parseLong(col(row, "ok")));
            assertEquals(c.errors().total(), Long.parseLong(col(row, "errors")));
            assertEquals(c.errors().connect(), Long.parseLong(col(row, "err_connect")));
            assertEquals(c.errors().timeout(), Long.parseLong(col(row, "err_timeout")));
            assertEquals(c.errors().http4xx(), Long.parseLong(col(row, "err_4xx")));
            assertEquals(c.errors().http5xx(), Long.parseLong(col(row, "err_5xx")));
            assertEquals(c.errors().other(), Long.parseLong(col(row, "err_other")));
            assertEquals(c.dropped(), Long.parseLong(col(row, "dropped")));
            assertEquals(s.inFlight(), Integer.parseInt(col(row, "in_flight")));
            assertEquals(s.queued(), Integer.parseInt(col(row, "queued")));
            Histogram lat = histograms.get(i).latency();
            assertEquals(lat.getValueAtPercentile(99) / 1000.0, Double.parseDouble(col(row, "p99_ms")), 0.0005);
            assertEquals(lat.getMaxValue() / 1000.0, Double.parseDouble(col(row, "max_ms")), 0.0005);
            assertEquals(ms(s.latency().p50()), Double.parseDouble(col(row, "p50_ms")), 0.0005);
            assertEquals(ms(s.serviceTime().p99()), Double.parseDouble(col(row, "service_p99_ms")), 0.0005);
            assertEquals(ms(s.sendLag().max()), Double.parseDouble(col(row, "send_lag_max_ms")), 0.0005);
        }
        // the figures differ between rows: the columns are not all taken from one interval
        assertFalse(col(rows.get(0), "scheduled").equals(col(rows.get(2), "scheduled")));
    }

    @Test
    void theIntervalClockDoesNotWaitForTheDiskAndFinishWaitsForEveryInterval() throws Exception {
        Path dir = tmp.resolve("slow-disk");
        ExecutorService writerThread = Executors.newSingleThreadExecutor();
        CountDownLatch disk = new CountDownLatch(1);
        writerThread.execute(() -> {
            try {
                disk.await(); // the disk is slow: nothing is written until released
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (ResultsWriter w = new ResultsWriter(dir, Map.of(), writerThread)) {
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i)); // returns at once, though nothing can be written
            }
            assertEquals(0, rows(dir).size(), "nothing written yet: the intervals wait for the writer's thread");
            CompletableFuture<Path> finished = CompletableFuture.supplyAsync(() -> w.finish(summary()));
            Thread.sleep(200);
            assertFalse(finished.isDone(), "finish waits for the intervals handed over before it");
            disk.countDown();
            assertEquals(dir.resolve(SummaryFile.FILE), finished.get(30, TimeUnit.SECONDS));
            w.onInterval(stats.get(0), histograms.get(0)); // after the summary: not written
        }
        assertEquals(3, rows(dir).size(), "every interval handed over before finish is in the timeline");
        assertEquals(9, readLog(dir.resolve("latency.hlog")).size());
    }

    @Test
    void latencyLogHoldsTheThreeKindsOfHistogramPerInterval() throws IOException {
        Path dir = tmp.resolve("run");
        try (ResultsWriter w = new ResultsWriter(dir, Map.of())) {
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i));
            }
            w.finish(summary());
        }
        List<EncodableHistogram> all = readLog(dir.resolve("latency.hlog"));
        List<Histogram> untagged = new ArrayList<>();
        List<Histogram> service = new ArrayList<>();
        List<Histogram> lag = new ArrayList<>();
        for (EncodableHistogram e : all) {
            Histogram h = (Histogram) e;
            if (h.getTag() == null) {
                untagged.add(h);
            } else if (h.getTag().equals("service_time")) {
                service.add(h);
            } else if (h.getTag().equals("send_lag")) {
                lag.add(h);
            } else {
                throw new AssertionError("unexpected tag " + h.getTag());
            }
        }
        assertEquals(3, untagged.size());
        assertEquals(3, service.size());
        assertEquals(3, lag.size());
        for (int i = 0; i < 3; i++) {
            IntervalHistograms h = histograms.get(i);
            assertEquals(h.latency().getTotalCount(), untagged.get(i).getTotalCount(), "interval " + i);
            assertEquals(h.latency(), untagged.get(i), "interval " + i + " latency round-trips");
            assertEquals(h.serviceTime().getTotalCount(), service.get(i).getTotalCount());
            assertEquals(h.serviceTime().getValueAtPercentile(99), service.get(i).getValueAtPercentile(99));
            assertEquals(h.sendLag().getTotalCount(), lag.get(i).getTotalCount());
            // relative placement holds whatever the base: interval i starts i seconds after the first, lasts 1 s
            assertEquals(1000L * i, untagged.get(i).getStartTimeStamp() - untagged.get(0).getStartTimeStamp(), 1);
            assertEquals(1000L, untagged.get(i).getEndTimeStamp() - untagged.get(i).getStartTimeStamp(), 1);
        }
        assertNull(histograms.get(0).latency().getTag(), "the caller's histogram was not tagged");
    }

    @Test
    void latencyLogTimestampsAreTheIntervalsWallClockTimes() throws IOException {
        Path dir = tmp.resolve("run");
        try (ResultsWriter w = new ResultsWriter(dir, Map.of())) {
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i));
            }
        }
        List<EncodableHistogram> all = readLog(dir.resolve("latency.hlog"));
        assertEquals(9, all.size());
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 3; k++) {
                EncodableHistogram h = all.get(3 * i + k);
                assertEquals(START.toEpochMilli() + 1000L * i, h.getStartTimeStamp(), 1, "interval " + i);
                assertEquals(START.toEpochMilli() + 1000L * (i + 1), h.getEndTimeStamp(), 1, "interval " + i);
            }
        }
    }

    @Test
    void summaryJsonMatchesTheRunSummary() throws IOException {
        Path dir = tmp.resolve("run");
        RunSummary s = summary();
        Path out;
        try (ResultsWriter w = new ResultsWriter(dir, Map.of("rate", "100", "arrival", "poisson"))) {
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i));
            }
            out = w.finish(s);
        }
        assertEquals(dir.resolve("summary.json"), out);
        assertFalse(Files.exists(dir.resolve("summary.json.tmp")));
        JsonNode j = new ObjectMapper().readTree(out.toFile());

        // 600 scheduled over 3 s; completed = (90+7) + (180+16) + (250+12) = 555, 3 of them after scheduling ended
        assertEquals(200.0, j.get("offered_rate").asDouble(), 1e-9);
        assertEquals(185.0, j.get("achieved_rate").asDouble(), 1e-9);
        assertEquals(552, j.get("completed_before_end").asLong());
        assertFalse(j.get("verdict").get("valid").asBoolean());
        assertEquals("send lag p99 2ms is over 1ms", j.get("verdict").get("reasons").get(0).asText());
        // the typed record reads back what was written
        SummaryFile typed = SummaryFile.read(out);
        assertEquals(SummaryFile.of(s, Map.of("rate", "100", "arrival", "poisson")).scheduled(), typed.scheduled());
        assertEquals(35, typed.errors().total());
        assertEquals(13, typed.errors().http4xx());
        assertEquals(0.0, j.get("warmup_s").asDouble(), 1e-9);
        assertEquals(s.offeredRate(), j.get("offered_rate").asDouble(), 0.001);
        assertEquals(s.achievedRate(), j.get("achieved_rate").asDouble(), 0.001);
        assertEquals(3.0, j.get("duration_s").asDouble(), 1e-9);
        assertEquals(588, j.get("sent").asLong());
        assertEquals(555, j.get("completed").asLong());
        assertEquals(520, j.get("ok").asLong());
        assertEquals(12, j.get("dropped").asLong());
        assertEquals(600, j.get("scheduled").asLong());
        assertEquals(3, j.get("intervals").asLong());
        assertEquals("completed", j.get("state").asText());
        assertEquals("http://127.0.0.1:8091/v1/classify", j.get("target").asText());
        assertEquals("steps:100@1s,200@1s,300@1s", j.get("profile").asText());
        assertEquals("poisson", j.get("arrival").asText());
        assertEquals(START.toString(), j.get("start").asText());

        JsonNode e = j.get("errors");
        assertTrue(e.isObject());
        assertEquals(35, e.get("total").asLong());
        assertEquals(5, e.get("connect").asLong());
        assertEquals(8, e.get("timeout").asLong());
        assertEquals(13, e.get("http_4xx").asLong());
        assertEquals(6, e.get("http_5xx").asLong());
        assertEquals(3, e.get("other").asLong());
        assertEquals(35.0 / 555, j.get("error_ratio").asDouble(), 1e-6);

        for (String[] k : new String[][] {{"latency_ms", "latency"}, {"service_time_ms", "service"},
                {"send_lag_ms", "lag"}}) {
            LatencySummary l = switch (k[1]) {
                case "latency" -> s.latency();
                case "service" -> s.serviceTime();
                default -> s.sendLag();
            };
            JsonNode n = j.get(k[0]);
            assertNotNull(n, k[0]);
            assertEquals(l.count(), n.get("count").asLong(), k[0]);
            assertEquals(ms(l.p50()), n.get("p50").asDouble(), 0.0005, k[0]);
            assertEquals(ms(l.p90()), n.get("p90").asDouble(), 0.0005, k[0]);
            assertEquals(ms(l.p99()), n.get("p99").asDouble(), 0.0005, k[0]);
            assertEquals(ms(l.p999()), n.get("p999").asDouble(), 0.0005, k[0]);
            assertEquals(ms(l.max()), n.get("max").asDouble(), 0.0005, k[0]);
            assertEquals(ms(l.mean()), n.get("mean").asDouble(), 0.0005, k[0]);
        }
        // the latency figures are in milliseconds of the microsecond histograms, merged over the run
        Histogram merged = new Histogram(3);
        histograms.forEach(h -> merged.add(h.latency()));
        assertEquals(merged.getValueAtPercentile(99) / 1000.0, j.get("latency_ms").get("p99").asDouble(), 0.0005);
        assertEquals(merged.getTotalCount(), j.get("latency_ms").get("count").asLong());
        assertTrue(j.get("latency_ms").get("p99").asDouble() > j.get("service_time_ms").get("p99").asDouble());

        assertEquals("100", j.get("settings").get("rate").asText());
        assertEquals("poisson", j.get("settings").get("arrival").asText());
    }

    /** @return the histograms in the results' latency.hlog now, or -1 while its last line is being written */
    private static int logged(Path dir) {
        try {
            return readLog(dir.resolve("latency.hlog")).size();
        } catch (Exception partial) {
            return -1;
        }
    }

    @Test
    void filesAreFlushedAfterEachInterval() throws Exception {
        Path dir = tmp.resolve("run");
        try (ResultsWriter w = new ResultsWriter(dir, Map.of())) {
            assertEquals(0, rows(dir).size());
            for (int i = 0; i < 3; i++) {
                w.onInterval(stats.get(i), histograms.get(i));
                // written on the writer's thread, flushed there, before the run has ended: wait for it
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (rows(dir).size() < i + 1 || logged(dir) < 3 * (i + 1)) {
                    assertTrue(System.nanoTime() < deadline, "interval " + i + " not on disk within 10 s");
                    Thread.sleep(5);
                }
                List<String> rows = rows(dir);
                assertEquals(i + 1, rows.size());
                assertEquals(Long.toString(stats.get(i).counts().scheduled()), col(rows.get(i), "scheduled"));
                assertEquals(3 * (i + 1), readLog(dir.resolve("latency.hlog")).size());
            }
            assertFalse(Files.exists(dir.resolve("summary.json")));
        }
        // closed without finish: the intervals are kept, and there is no summary
        assertEquals(3, rows(dir).size());
        assertFalse(Files.exists(dir.resolve("summary.json")));
    }

    @Test
    void finishTwiceIsHarmlessAndLaterIntervalsAreIgnored() throws IOException {
        Path dir = tmp.resolve("run");
        ResultsWriter w = new ResultsWriter(dir, Map.of());
        w.onInterval(stats.get(0), histograms.get(0));
        w.onInterval(stats.get(1), histograms.get(1));
        Path first = w.finish(summary());
        String json = Files.readString(first);
        byte[] timeline = Files.readAllBytes(dir.resolve("timeline.csv"));

        RunSummary other = new RunSummary("http://other", "constant:1", "constant", START, Duration.ofSeconds(1),
                Duration.ZERO, "stopped", 0, Counts.ZERO, 0, LatencySummary.EMPTY, LatencySummary.EMPTY,
                LatencySummary.EMPTY, Verdict.VALID, GeneratorLoad.NONE, "", 0, "httpclient");
        assertEquals(first, w.finish(other));
        assertEquals(json, Files.readString(first), "the second finish does not rewrite the summary");
        w.onInterval(stats.get(2), histograms.get(2));
        w.close();
        w.close();
        assertTrue(Arrays.equals(timeline, Files.readAllBytes(dir.resolve("timeline.csv"))));
        assertEquals(2, rows(dir).size());
        assertEquals(6, readLog(dir.resolve("latency.hlog")).size());
    }
}
