package io.loadgen.bench.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loadgen.bench.proc.ProcStat;
import io.loadgen.bench.testing.Captured;
import io.loadgen.core.report.ResultsWriter;
import io.loadgen.core.report.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server bench's pure parts: reading timeline.csv, ModelBench's and the server's lines, thread groups, the report. */
class ServerBenchLogicTest {

    /** A timeline.csv row with loadgen's own columns, zero but for the ones given. */
    private static String row(double elapsed, double length, long ok, long e5xx) {
        List<String> head = Arrays.asList(ResultsWriter.TIMELINE_HEADER.split(","));
        String[] f = new String[head.size()];
        Arrays.fill(f, "0");
        f[head.indexOf("elapsed_s")] = Double.toString(elapsed);
        f[head.indexOf("length_s")] = Double.toString(length);
        f[head.indexOf("ok")] = Long.toString(ok);
        f[head.indexOf("err_5xx")] = Long.toString(e5xx);
        f[head.indexOf("phase")] = elapsed < 2 ? "warmup" : "measure";
        return String.join(",", f);
    }

    @Test
    void theMeasuredWindowLeavesOutTheWarmUpAndTheDrain() {
        List<String> lines = new ArrayList<>();
        lines.add(ResultsWriter.TIMELINE_HEADER);
        for (int i = 0; i < 8; i++) {
            lines.add(row(i, 1, 10L * (i + 1), i));
        }
        // the drain after the schedule's end: completions that belong to no second of the window
        lines.add(row(8, 0.7, 500, 0));
        TimelineWindow w = TimelineWindow.parse(lines, 2, 6).orElseThrow();
        assertEquals(30 + 40 + 50 + 60 + 70 + 80, w.ok(), 1e-9, "intervals starting at 2..7 s");
        assertEquals(2 + 3 + 4 + 5 + 6 + 7, w.e5xx(), 1e-9);
        assertEquals(6, w.seconds(), 1e-9);
        assertEquals(55, w.okPerS(), 1e-9);
        assertEquals(4.5, w.e5xxPerS(), 1e-9);
    }

    @Test
    void aCapturedRunsWindowGivesTheFiguresItsTableShowed(@TempDir Path dir) throws IOException {
        // bench/server --quick, max batch 8 at 379/s: the table showed 122.7 ok/s and 262.0 503/s
        Path summaryFile = dir.resolve("summary.json");
        Files.writeString(summaryFile, Captured.text("server-summary-b8.json"));
        Path timeline = dir.resolve("timeline.csv");
        Files.writeString(timeline, Captured.text("server-timeline-b8.csv"));
        SummaryFile s = SummaryFile.read(summaryFile);
        assertEquals(2, s.warmupS(), 1e-9);
        assertEquals(6, s.durationS(), 1e-9);
        TimelineWindow w = TimelineWindow.read(timeline, s.warmupS(), s.durationS()).orElseThrow();
        assertEquals(6, w.seconds(), 1e-9, "the two warm-up intervals left out");
        assertEquals(s.ok(), w.ok(), 1e-9, "no backlog here: the window holds every 200 of the summary");
        assertEquals("122.7", io.loadgen.bench.report.Fmt.f1(w.okPerS()));
        assertEquals("262.0", io.loadgen.bench.report.Fmt.f1(w.e5xxPerS()));
    }

    @Test
    void aTimelineWithoutTheColumnsOrWithoutIntervalsInTheWindowGivesNothing() {
        assertTrue(TimelineWindow.parse(List.of("interval,start,elapsed_s,length_s,ok", "0,x,2,1,10"), 2, 6)
                .isEmpty(), "no err_5xx column");
        assertTrue(TimelineWindow.parse(List.of(ResultsWriter.TIMELINE_HEADER, row(0, 1, 10, 0)), 2, 6).isEmpty(),
                "only the warm-up");
        assertTrue(TimelineWindow.parse(List.of(ResultsWriter.TIMELINE_HEADER, "garbage"), 2, 6).isEmpty());
        assertTrue(TimelineWindow.parse(List.of(), 2, 6).isEmpty());
    }

    @Test
    void modelBenchsResultLineIsRead() {
        KeyValues r = KeyValues.parse("RESULT batches=52 images=416 seconds=5.012 images_per_s=83.00"
                + " batch_ms_mean=96.38 batch_ms_p50=95.10 batch_ms_p99=120.55 cpu_pct=NaN");
        assertEquals(83.00, r.number("images_per_s"), 1e-9);
        assertEquals(96.38, r.number("batch_ms_mean"), 1e-9);
        assertEquals(120.55, r.number("batch_ms_p99"), 1e-9);
        assertTrue(Double.isNaN(r.number("cpu_pct")));
        assertTrue(Double.isNaN(r.number("RESULT")), "the leading word is no pair");
        assertTrue(Double.isNaN(r.number("ms_per_image")));
        assertEquals(1.234, KeyValues.parse("PREPROCESS ms_per_image=1.234 images=4000").number("ms_per_image"),
                1e-9);
    }

    @Test
    void aCapturedModelBenchLogGivesItsModelOnlyAndPipelineFigures() throws IOException {
        // bench/server --quick, max batch 8, tensorflow decoder: ModelBench's whole output, TensorFlow's log included
        List<String> lines = Captured.text("server-inprocess-b8.log").lines().toList();
        assertTrue(lines.contains("PIPELINE_START") && lines.contains("PIPELINE_END"), "the markers the runner awaits");
        InProcessResult r = InProcessResult.parse(8, lines, 1, 2).orElseThrow();
        assertTrue(r.ok());
        assertEquals(257.60, r.imagesPerS(), 1e-9);
        assertEquals(31.06, r.batchMs(), 1e-9);
        assertEquals(35.43, r.batchP99Ms(), 1e-9);
        assertEquals(166, r.cpuPct(), 1e-9);
        assertEquals(1, r.othersPct(), 1e-9);
        assertTrue(r.pipelineOk());
        assertEquals(219.20, r.pipelineImagesPerS(), 1e-9, "PIPELINE, not PIPELINE_START or PIPELINE_END");
        assertEquals(8.00, r.pipelineBatchMean(), 1e-9);
        assertEquals(165, r.pipelineCpuPct(), 1e-9);
        assertEquals(2, r.pipelineOthersPct(), 1e-9);
        assertEquals(0, r.pipelineErrors(), 1e-9);
        assertEquals(0.807, r.preprocessMs(), 1e-9);
        String pipe = lines.stream().filter(l -> l.startsWith("PIPELINE ")).findFirst().orElseThrow();
        assertEquals("tensorflow", KeyValues.parse(pipe).text("decoder").orElseThrow());
        assertEquals(ServerSettings.queueSize(8), KeyValues.parse(pipe).number("threads"), 1e-9,
                "as many clients as the queue holds");
    }

    @Test
    void aModelBenchLogWithoutThePipelineKeepsTheModelOnlyFigures() {
        List<String> lines = List.of("LOADED load_ms=697 warmup_ms=514 images=8", "MEASURE_START", "MEASURE_END",
                "RESULT batches=162 images=1296 seconds=5.031 images_per_s=257.60 batch_ms_mean=31.06"
                        + " batch_ms_p50=30.67 batch_ms_p99=35.43 cpu_pct=166", "PIPELINE_START");
        InProcessResult r = InProcessResult.parse(8, lines, 1, Double.NaN).orElseThrow();
        assertEquals(257.60, r.imagesPerS(), 1e-9);
        assertFalse(r.pipelineOk());
        assertTrue(Double.isNaN(r.pipelineImagesPerS()));
        assertTrue(Double.isNaN(r.preprocessMs()));
        assertTrue(InProcessResult.parse(8, List.of("LOADED x=1", "MEASURE_START"), 0, 0).isEmpty(), "no RESULT");
        HttpResult h = new HttpResult(8, 386, 145.5, 245.5, 2, 347, 146, true, null);
        assertTrue(Double.isNaN(h.pipelineRatioPct(r)));
        assertEquals(56.5, h.modelRatioPct(r), 0.05);
    }

    @Test
    void theServersPortIsReadFromItsListeningLine() {
        assertEquals(OptionalInt.of(40123), ServeRunner.port("loadgen serve: listening on http://127.0.0.1:40123,"
                + " loading the built-in model ..."));
        assertEquals(OptionalInt.empty(), ServeRunner.port("listening on http://0.0.0.0:8080"));
        assertEquals(OptionalInt.empty(), ServeRunner.port("ready: model mobilenet_v2 on 127.0.0.1:40123"));
    }

    @Test
    void threadsAreGroupedByNameWithoutTheirNumbers() {
        assertEquals("http", ServerThreads.group("http-23"));
        assertEquals("tf-ops", ServerThreads.group("model-loader"));
        assertEquals("batcher-worker", ServerThreads.group("batcher-worker-"), "comm is cut at 15 characters");
        assertEquals("JIT", ServerThreads.group("C2 CompilerThre"));
        assertEquals("JIT", ServerThreads.group("C1 CompilerThre"));
        assertEquals("GC", ServerThreads.group("GC Thread#1"));
        assertEquals("GC", ServerThreads.group("G1 Conc#0"));
        assertEquals("java", ServerThreads.group("java"));
        assertEquals("?", ServerThreads.group(null));
    }

    private static ProcStat thread(long tid, String name, long ticks) {
        return new ProcStat(tid, name, 'S', 1, ticks, 0, 0, 0, 1);
    }

    @Test
    void theServersCpuIsSummedByGroupBusiestFirst() {
        Map<Long, ProcStat> start = Map.of(1L, thread(1, "http-1", 100), 2L, thread(2, "http-2", 50),
                3L, thread(3, "model-loader", 1000), 4L, thread(4, "VM Thread", 7));
        Map<Long, ProcStat> end = Map.of(1L, thread(1, "http-1", 110), 2L, thread(2, "http-2", 70),
                3L, thread(3, "model-loader", 1150), 4L, thread(4, "VM Thread", 7), 5L, thread(5, "http-3", 10));
        // 100 ticks = one core for one second; http-3 started in between and counts whole; VM Thread did nothing
        assertEquals("tf-ops 150%, http 40%", ServerThreads.summary(start, end, 100));
    }

    private static ServerReport report(List<InProcessResult> in, List<HttpResult> closed, List<HttpResult> http,
            List<String> notes) {
        ServerReport.Meta meta = new ServerReport.Meta(true, LocalDateTime.of(2026, 11, 22, 4, 4), 2, "0.10/0.20/0.30",
                "1.00/0.50/0.40", "OpenJDK 64-Bit Server VM 17", 75, 8, ServerSettings.of(true, 1.5, 64));
        return new ServerReport(meta, in, closed, http, notes);
    }

    /** @return the trimmed cells of the table row whose first cell is first */
    private static List<String> cells(String md, String first) {
        for (String l : md.split("\n")) {
            if (l.startsWith("|")) {
                List<String> c = Arrays.stream(l.substring(1).split("\\|")).map(String::trim).toList();
                if (c.get(0).equals(first)) {
                    return c;
                }
            }
        }
        throw new AssertionError("no row " + first + " in\n" + md);
    }

    @Test
    void theReportGivesTheRatioAndTheGoalPerBatchSize() {
        StepCpu cpu = new StepCpu(25, 180, "tf-ops 120%, http 40%", 3, "none");
        List<InProcessResult> in = List.of(new InProcessResult(1, 40, 25, 30, 190, 2, 36, 1, 195, 3, 0, 1.1, true),
                new InProcessResult(8, 80, 100, 120, 195, 4, 70, 7.5, 198, 5, 0, 1.1, true));
        List<HttpResult> http = List.of(new HttpResult(1, 60, 38, 20, 15, 80, 38.5, true, cpu),
                new HttpResult(8, 120, 56, 60, 9, 300, 57, true, cpu));
        StepCpu closedCpu = new StepCpu(20, 170, "tf-ops 130%, http 30%", 2, "none");
        List<HttpResult> closed = List.of(new HttpResult(1, Double.NaN, 35, 0, 20, 40, 35, true, closedCpu),
                new HttpResult(8, Double.NaN, 66.5, 0, 90, 150, 66.5, true, closedCpu));
        String md = report(in, closed, http, List.of("a note")).render();
        assertTrue(md.startsWith("# loadgen server benchmark (quick)\n\n2026-11-22 04:04, 2 cores, load average"
                + " 0.10/0.20/0.30 at start, 1.00/0.50/0.40 at end; OpenJDK 64-Bit Server VM 17; 75 s in all."), md);
        assertTrue(md.contains("\n\ndecoder: tensorflow (the in-process pipeline's, and `loadgen serve"
                + " --image-decoder tensorflow`)\n\n"), md);
        assertTrue(md.contains("`loadgen run --concurrency 2B+16 --connections 2B+16 --warmup 3s --duration 9s`"),
                md);
        assertTrue(md.contains("--warmup 2s --duration 8s` (6 s measured)"), md);
        assertEquals(List.of("max batch", "model only images/s", "model batch ms", "pipeline images/s",
                "HTTP closed-loop ok/s", "% of pipeline", "% of model", "1.5x offered", "1.5x ok/s", "1.5x 503/s",
                "1.5x p50 ms", "1.5x p99 ms"), cells(md, "max batch"));
        assertEquals(List.of("1", "40.0", "25.0", "36.0", "35.0", "97", "88", "60", "38.0", "20.0", "15", "80"),
                cells(md, "1"));
        assertEquals(List.of("8", "80.0", "100.0", "70.0", "66.5", "95", "83", "120", "56.0", "60.0", "9", "300"),
                cells(md, "8"));
        String[] rows = md.split("\n");
        String sep = Arrays.stream(rows).filter(l -> l.startsWith("|-")).findFirst().orElseThrow();
        assertFalse(sep.contains(":-"), "every column right-aligned: " + sep);
        assertTrue(md.contains("batching on (max batch 8) vs off (1) over HTTP, closed loop: 66.5 / 35.0 ok/s = 1.90"
                + " x\n"), md);
        assertTrue(md.contains("batching on (max batch 8) vs off (1) over HTTP, at 1.5x, shedding: 56.0 / 38.0 ok/s"
                + " = 1.47 x\n"), md);
        assertTrue(md.contains("in-process pipeline, batching on (max batch 8) vs off (1): 70.0 / 36.0 images/s"
                + " = 1.94 x\n"), md);
        assertTrue(md.contains("goal HTTP >= 90% of the in-process pipeline (decoder tensorflow): max batch 1 met"
                + " (97%), max batch 8 met (95%)\n"), md);
        assertTrue(md.contains("goal batching on >= 1.3x off over HTTP (closed loop): max batch 8 met (1.90x)\n"), md);
        assertTrue(md.contains("- max batch 8, in-process: model only: JVM 195%, other processes 4%; pipeline: JVM"
                + " 198%, other processes 5%, batch mean 7.5\n"), md);
        assertTrue(md.contains("- max batch 8, HTTP closed loop: server 170% (tf-ops 130%, http 30%), loadgen 20%,"
                + " other processes 2%\n"), md);
        assertTrue(md.contains("- max batch 8, HTTP at 1.5x: server 180% (tf-ops 120%, http 40%), loadgen 25%, other"
                + " processes 3%\n"), md);
        assertTrue(md.contains("one sample JPEG with the tensorflow decoder takes 1.10 ms on one warm thread"
                + " (in-process JVM); at the closed-loop HTTP 66.5 ok/s, that is 7% of a core"), md);
        assertTrue(md.endsWith("\nnotes:\n- a note\n"), md);
    }

    @Test
    void aFailedHttpRunIsNotMeasuredRatherThanZero() {
        List<InProcessResult> in = List.of(new InProcessResult(1, 40, 25, 30, 190, 2, 36, 1, 195, 3, 0, 1.1, true),
                InProcessResult.failed(8));
        List<HttpResult> http = List.of(HttpResult.failed(1, null), HttpResult.failed(8, null));
        ServerReport r = report(in, http, http, List.of());
        String table = r.table();
        assertEquals(List.of("1", "40.0", "25.0", "36.0", "-", "-", "-", "-", "-", "-", "-", "-"), cells(table, "1"));
        assertEquals(List.of("8", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"), cells(table, "8"));
        assertEquals("max batch 1 not measured (-%), max batch 8 not measured (-%)", r.goals());
        String md = r.render();
        assertFalse(md.contains(", HTTP: server"), "no CPU line without a sampled run");
        assertTrue(md.contains("- max batch 8, in-process: model only: JVM -%, other processes -; pipeline: JVM -%,"
                + " other processes -, batch mean -\n"), md);
        assertTrue(md.contains("goal batching on >= 1.3x off over HTTP (closed loop): max batch 8 not measured (-x)\n"),
                md);
        assertFalse(md.contains("notes:"), md);
    }
}
