package io.loadgen.bench.server;

import io.loadgen.bench.report.Fmt;
import io.loadgen.bench.report.MarkdownTable;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The server benchmark's report, in markdown: a header with the machine, the decoder and the settings, one table row
 * per max batch size (in-process model-only images/s and batch ms, in-process pipeline images/s, HTTP offered, ok/s
 * and 503/s, HTTP ok/s as a percentage of the pipeline and of the model only, latency p50/p99 in ms), batching on
 * against off (HTTP, and the in-process pipeline), whether the 90% and 1.3x goals are met, the CPU of each step
 * (100% = one core), the cost of decoding the JPEGs at the HTTP ok rate, and the notes.
 *
 * @param meta what the header says
 * @param in the in-process runs, one per batch size
 * @param closed the closed-loop HTTP runs (the goal figures), in the same order
 * @param http the open-loop HTTP runs at the offered rate, in the same order
 * @param notes failed steps, errors, disturbances
 */
public record ServerReport(Meta meta, List<InProcessResult> in, List<HttpResult> closed, List<HttpResult> http,
        List<String> notes) {
    /** The goal for batching: HTTP ok/s at max batch > 1 at least this many times that at max batch 1. */
    static final double BATCHING_GOAL = 1.3;

    /**
     * @param quick whether this was the smoke run
     * @param at when the report was made
     * @param cores the processors of this JVM
     * @param loadStart the load average at the start, "0.52/0.40/0.31"
     * @param loadEnd the load average at the end
     * @param jvm the JVM's name and version
     * @param seconds the bench's run time so far, seconds
     * @param images the number of sample images
     * @param settings the settings it ran with
     */
    public record Meta(boolean quick, LocalDateTime at, int cores, String loadStart, String loadEnd, String jvm,
            long seconds, long images, ServerSettings settings) {
    }

    /**
     * @param meta what the header says
     * @param in the in-process runs
     * @param closed the closed-loop HTTP runs, one per in-process run
     * @param http the open-loop HTTP runs, one per in-process run
     * @param notes the notes
     */
    public ServerReport {
        if (in.size() != http.size() || in.size() != closed.size()) {
            throw new IllegalArgumentException(in.size() + " in-process runs but " + closed.size() + " closed-loop and "
                    + http.size() + " open-loop HTTP runs");
        }
        in = List.copyOf(in);
        closed = List.copyOf(closed);
        http = List.copyOf(http);
        notes = List.copyOf(notes);
    }

    /** @return the report, ending with a newline */
    public String render() {
        ServerSettings s = meta.settings();
        StringBuilder b = new StringBuilder();
        b.append("# loadgen server benchmark").append(meta.quick() ? " (quick)" : "").append("\n\n");
        b.append(Fmt.of("%s, %d cores, load average %s at start, %s at end; %s; %d s in all.\n\n",
                meta.at().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), meta.cores(), meta.loadStart(),
                meta.loadEnd(), meta.jvm(), meta.seconds()));
        b.append(Fmt.of("decoder: %s (the in-process pipeline's, and `loadgen serve --image-decoder %s`)\n\n",
                s.decoderName(), s.decoderName()));
        b.append(Fmt.of("Both measurements: built-in MobileNetV2 1.0 224 (untrained), workers %d,"
                + " TensorFlow intra-op threads %d, inter-op %d. In-process, own JVM, warmUp(max batch); model only:"
                + " %d s of predict at the max batch, then %d s timed, back to back, on the %d sample JPEGs"
                + " preprocessed once; pipeline: the server's components without HTTP, from encoded bytes: the %s"
                + " ImageDecoder and a DynamicBatcher (max batch B, max delay %s, queue 2B+16, %d worker) over the same"
                + " model, 2B+16 client threads each looping next JPEG -> decoder.preprocess -> submit().join(), %d s"
                + " to settle, then %d s timed. HTTP: `loadgen serve --max-batch B --max-delay %s --queue 2B+16"
                + " --workers %d --intra-op-threads %d --image-decoder %s`, driven first by `loadgen run --concurrency"
                + " 2B+16 --connections 2B+16 --warmup %ds --duration %ds` (closed loop: as many clients as the"
                + " pipeline's threads, each sending its next JPEG when its answer came; the server is kept full and"
                + " sheds nothing), then, on the same server, by `loadgen run --arrival poisson"
                + " --rate <offered> --max-in-flight %d --warmup %ds --duration %ds` (%d s measured) with the same"
                + " JPEGs; offered = %.1fx the in-process model-only images/s; --connections %s%s. ok/s and 503/s:"
                + " per second of the measured window (timeline.csv); %% of pipeline = closed-loop HTTP ok/s /"
                + " in-process pipeline images/s (the goal figure: the same pipeline, with and without HTTP); %% of"
                + " model = closed-loop HTTP ok/s / in-process model-only images/s. The 1.5x columns show the server"
                + " overloaded: what it answers OK while it sheds the excess with 503s. p50/p99 (1.5x) = latency of"
                + " all completed requests, OK and 503 alike (summary.json does not separate them), from the intended"
                + " send time.\n\n", ServerSettings.WORKERS, ServerSettings.INTRA_OP,
                ServerSettings.INTER_OP, s.settleSeconds(), s.inProcessSeconds(), meta.images(), s.decoderName(),
                ServerSettings.MAX_DELAY, ServerSettings.WORKERS, s.settleSeconds(), s.inProcessSeconds(),
                ServerSettings.MAX_DELAY, ServerSettings.WORKERS, ServerSettings.INTRA_OP, s.decoderName(),
                s.closedWarmupSeconds(), s.closedDurationSeconds(), ServerSettings.MAX_IN_FLIGHT, s.warmupSeconds(), s.durationSeconds(), s.measuredSeconds(),
                s.factor(),
                s.connections() == ServerSettings.AUTO ? "0 (sized from the rate: max(8, rate x 20 ms))"
                        : Integer.toString(s.connections()),
                s.connections() >= ServerSettings.MAX_IN_FLIGHT
                        ? ", so that every request in flight reaches the server" : ""));
        b.append(table()).append('\n');
        batchingLine(b);
        b.append("goal HTTP >= 90% of the in-process pipeline (decoder ").append(s.decoderName()).append("): ")
                .append(goals()).append('\n');
        batchingGoal(b);
        cpu(b);
        if (!notes.isEmpty()) {
            b.append("\nnotes:\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    /** @return the table: one row per max batch size, every column right-aligned */
    String table() {
        MarkdownTable t = new MarkdownTable("max batch", "model only images/s", "model batch ms",
                "pipeline images/s", "HTTP closed-loop ok/s", "% of pipeline", "% of model", "1.5x offered",
                "1.5x ok/s", "1.5x 503/s", "1.5x p50 ms", "1.5x p99 ms").allRight();
        for (int i = 0; i < in.size(); i++) {
            InProcessResult ip = in.get(i);
            HttpResult c = closed.get(i);
            HttpResult h = http.get(i);
            t.row(Integer.toString(ip.batch()), Fmt.f1(ip.imagesPerS()), Fmt.f1(ip.batchMs()),
                    Fmt.f1(ip.pipelineImagesPerS()), Fmt.f1(c.okPerS()), Fmt.f0(c.pipelineRatioPct(ip)),
                    Fmt.f0(c.modelRatioPct(ip)), Fmt.f0(h.valid() ? h.offered() : Double.NaN),
                    Fmt.f1(h.okPerS()), Fmt.f1(h.e5xxPerS()), Fmt.f0(h.p50Ms()), Fmt.f0(h.p99Ms()));
        }
        return t.render();
    }

    /**
     * "batching on (max batch 8/32) vs off (1) at saturation: a/b / c ok/s = x/y x", if batch 1 and another ran,
     * then the same for the in-process pipeline.
     */
    private void batchingLine(StringBuilder b) {
        batchingLine(b, closed, "closed loop");
        batchingLine(b, http, "at 1.5x, shedding");
        pipelineBatchingLine(b);
    }

    private static void batchingLine(StringBuilder b, List<HttpResult> runs, String how) {
        HttpResult off = runs.stream().filter(h -> h.batch() == 1).findFirst().orElse(null);
        List<HttpResult> on = runs.stream().filter(h -> h.batch() > 1).toList();
        if (off != null && !on.isEmpty()) {
            b.append(Fmt.of("batching on (max batch %s) vs off (1) over HTTP, " + how + ": %s / %s ok/s = %s x\n",
                    on.stream().map(h -> Integer.toString(h.batch())).collect(Collectors.joining("/")),
                    on.stream().map(h -> Fmt.f1(h.okPerS())).collect(Collectors.joining("/")), Fmt.f1(off.okPerS()),
                    on.stream().map(h -> Fmt.f2(h.okPerS() / off.okPerS())).collect(Collectors.joining("/"))));
        }
    }

    private void pipelineBatchingLine(StringBuilder b) {
        InProcessResult inOff = in.stream().filter(r -> r.batch() == 1).findFirst().orElse(null);
        List<InProcessResult> inOn = in.stream().filter(r -> r.batch() > 1).toList();
        if (inOff != null && !inOn.isEmpty()) {
            b.append(Fmt.of("in-process pipeline, batching on (max batch %s) vs off (1): %s / %s images/s = %s x\n",
                    inOn.stream().map(r -> Integer.toString(r.batch())).collect(Collectors.joining("/")),
                    inOn.stream().map(r -> Fmt.f1(r.pipelineImagesPerS())).collect(Collectors.joining("/")),
                    Fmt.f1(inOff.pipelineImagesPerS()), inOn.stream()
                            .map(r -> Fmt.f2(r.pipelineImagesPerS() / inOff.pipelineImagesPerS()))
                            .collect(Collectors.joining("/"))));
        }
    }

    /**
     * "goal batching on >= 1.3x off over HTTP: max batch 8 met (1.47x), ...", closed loop, if batch 1 and another
     * ran.
     */
    private void batchingGoal(StringBuilder b) {
        HttpResult off = closed.stream().filter(h -> h.batch() == 1).findFirst().orElse(null);
        List<HttpResult> on = closed.stream().filter(h -> h.batch() > 1).toList();
        if (off == null || on.isEmpty()) {
            return;
        }
        List<String> goal = new ArrayList<>();
        for (HttpResult h : on) {
            double x = h.valid() && off.valid() && off.okPerS() > 0 ? h.okPerS() / off.okPerS() : Double.NaN;
            goal.add(Fmt.of("max batch %d %s (%sx)", h.batch(),
                    Double.isNaN(x) ? "not measured" : x >= BATCHING_GOAL ? "met" : "NOT met", Fmt.f2(x)));
        }
        b.append("goal batching on >= 1.3x off over HTTP (closed loop): ").append(String.join(", ", goal)).append('\n');
    }

    /**
     * @return "max batch 1 met (93%), max batch 8 NOT met (71%), ...": closed-loop HTTP ok/s over the in-process
     *     pipeline
     */
    String goals() {
        List<String> goal = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            double r = closed.get(i).pipelineRatioPct(in.get(i));
            goal.add(Fmt.of("max batch %d %s (%s%%)", in.get(i).batch(),
                    Double.isNaN(r) ? "not measured" : r >= 100 * ServerSettings.GOAL ? "met" : "NOT met",
                    Fmt.f0(r)));
        }
        return String.join(", ", goal);
    }

    private void cpu(StringBuilder b) {
        b.append("\nCPU, 100% = one core, over the timed part:\n");
        for (InProcessResult ip : in) {
            b.append(Fmt.of("- max batch %d, in-process: model only: JVM %s%%, other processes %s; pipeline: JVM %s%%,"
                    + " other processes %s, batch mean %s\n", ip.batch(), Fmt.f0(ip.cpuPct()), pct(ip.othersPct()),
                    Fmt.f0(ip.pipelineCpuPct()), pct(ip.pipelineOthersPct()), Fmt.f1(ip.pipelineBatchMean())));
        }
        for (int i = 0; i < in.size(); i++) {
            for (HttpResult h : List.of(closed.get(i), http.get(i))) {
                StepCpu c = h.cpu();
                if (c != null) {
                    b.append(Fmt.of("- max batch %d, HTTP %s: server %.0f%% (%s), loadgen %.0f%%, other processes"
                            + " %.0f%%\n", h.batch(), h == closed.get(i) ? "closed loop" : "at 1.5x", c.serverPct(),
                            c.serverThreads(), c.toolPct(), c.othersPct()));
                }
            }
        }
        for (int i = 0; i < in.size(); i++) {
            InProcessResult ip = in.get(i);
            HttpResult h = closed.get(i);
            if (!Double.isNaN(ip.preprocessMs()) && h.valid()) {
                b.append(Fmt.of("- max batch %d: decoding + preprocessing one sample JPEG with the %s decoder takes"
                        + " %.2f ms on one warm thread (in-process JVM); at the closed-loop HTTP %.1f ok/s, that is"
                        + " %.0f%% of a core on the server's HTTP threads\n", ip.batch(),
                        meta.settings().decoderName(), ip.preprocessMs(), h.okPerS(),
                        h.okPerS() * ip.preprocessMs() / 10));
            }
        }
        b.append("  (server threads: http = Jetty's request threads, which read the body, decode and preprocess the"
                + " JPEG and write the JSON; tf-ops = TensorFlow's op threads (named model-loader after the thread"
                + " that created them); batcher-worker = the thread that calls TensorFlow; GC, JIT = the JVM's)\n");
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : Fmt.f0(v) + "%";
    }
}
