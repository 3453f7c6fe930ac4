package io.loadgen.bench.server;

import io.loadgen.bench.report.Fmt;
import io.loadgen.bench.report.MarkdownTable;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The server benchmark's report, in markdown: a header with the machine and the settings, one table row per max
 * batch size (in-process images/s and batch ms, HTTP offered, ok/s and 503/s, their ratio in per cent, latency
 * p50/p99 in ms), batching on against off, whether the 90% goal is met, the CPU of each step (100% = one core), the
 * cost of decoding the JPEGs at the offered rate, and the notes.
 *
 * @param meta what the header says
 * @param in the in-process runs, one per batch size
 * @param http the HTTP runs, in the same order
 * @param notes failed steps, errors, disturbances
 */
public record ServerReport(Meta meta, List<InProcessResult> in, List<HttpResult> http, List<String> notes) {

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
     * @param http the HTTP runs, one per in-process run
     * @param notes the notes
     */
    public ServerReport {
        if (in.size() != http.size()) {
            throw new IllegalArgumentException(in.size() + " in-process runs but " + http.size() + " HTTP runs");
        }
        in = List.copyOf(in);
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
        b.append(Fmt.of("Both measurements: built-in MobileNetV2 1.0 224 (untrained), workers %d,"
                + " TensorFlow intra-op threads %d, inter-op %d. In-process: own JVM, warmUp(max batch), %d s of"
                + " predict at the max batch, then %d s timed, back to back, on the %d sample JPEGs preprocessed"
                + " once. HTTP: `loadgen serve --max-batch B --max-delay %s --queue 2B+16 --workers %d"
                + " --intra-op-threads %d`, driven by `loadgen run --arrival poisson --rate <offered> --max-in-flight"
                + " %d --warmup %ds --duration %ds` (%d s measured) with the same JPEGs; offered = %.1fx the"
                + " in-process images/s; --connections %s%s. ok/s and 503/s: per second of the measured window"
                + " (timeline.csv); ratio = HTTP ok/s / in-process images/s. p50/p99 = latency of all completed"
                + " requests, OK and 503 alike (summary.json does not separate them), from the intended send"
                + " time.\n\n", ServerSettings.WORKERS, ServerSettings.INTRA_OP, ServerSettings.INTER_OP,
                s.settleSeconds(), s.inProcessSeconds(), meta.images(), ServerSettings.MAX_DELAY,
                ServerSettings.WORKERS, ServerSettings.INTRA_OP, ServerSettings.MAX_IN_FLIGHT, s.warmupSeconds(),
                s.durationSeconds(), s.measuredSeconds(), s.factor(),
                s.connections() == ServerSettings.AUTO ? "0 (sized from the rate: max(8, rate x 20 ms))"
                        : Integer.toString(s.connections()),
                s.connections() >= ServerSettings.MAX_IN_FLIGHT
                        ? ", so that every request in flight reaches the server" : ""));
        b.append(table()).append('\n');
        batchingLine(b);
        b.append("goal HTTP >= 90% of in-process: ").append(goals()).append('\n');
        cpu(b);
        if (!notes.isEmpty()) {
            b.append("\nnotes:\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    /** @return the table: one row per max batch size, every column right-aligned */
    String table() {
        MarkdownTable t = new MarkdownTable("max batch", "in-process images/s", "in-process batch ms",
                "HTTP offered", "HTTP ok/s", "503/s", "ratio %", "p50 ms", "p99 ms").allRight();
        for (int i = 0; i < in.size(); i++) {
            InProcessResult ip = in.get(i);
            HttpResult h = http.get(i);
            t.row(Integer.toString(ip.batch()), Fmt.f1(ip.imagesPerS()), Fmt.f1(ip.batchMs()),
                    Fmt.f0(h.valid() ? h.offered() : Double.NaN), Fmt.f1(h.okPerS()), Fmt.f1(h.e5xxPerS()),
                    Fmt.f0(h.ratioPct(ip)), Fmt.f0(h.p50Ms()), Fmt.f0(h.p99Ms()));
        }
        return t.render();
    }

    /** "batching on (max batch 8/32) vs off (1) at saturation: a/b / c ok/s = x/y x", if batch 1 and another ran. */
    private void batchingLine(StringBuilder b) {
        HttpResult off = http.stream().filter(h -> h.batch() == 1).findFirst().orElse(null);
        List<HttpResult> on = http.stream().filter(h -> h.batch() > 1).toList();
        if (off != null && !on.isEmpty()) {
            b.append(Fmt.of("batching on (max batch %s) vs off (1) at saturation: %s / %s ok/s = %s x\n",
                    on.stream().map(h -> Integer.toString(h.batch())).collect(Collectors.joining("/")),
                    on.stream().map(h -> Fmt.f1(h.okPerS())).collect(Collectors.joining("/")), Fmt.f1(off.okPerS()),
                    on.stream().map(h -> Fmt.f2(h.okPerS() / off.okPerS())).collect(Collectors.joining("/"))));
        }
    }

    /** @return "max batch 1 met (93%), max batch 8 NOT met (71%), ..." */
    String goals() {
        List<String> goal = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            double r = http.get(i).ratioPct(in.get(i));
            goal.add(Fmt.of("max batch %d %s (%s%%)", in.get(i).batch(),
                    Double.isNaN(r) ? "not measured" : r >= 100 * ServerSettings.GOAL ? "met" : "NOT met",
                    Fmt.f0(r)));
        }
        return String.join(", ", goal);
    }

    private void cpu(StringBuilder b) {
        b.append("\nCPU, 100% = one core, over the timed part:\n");
        for (InProcessResult ip : in) {
            b.append(Fmt.of("- max batch %d, in-process: model JVM %s%%, other processes %s\n", ip.batch(),
                    Fmt.f0(ip.cpuPct()), Double.isNaN(ip.othersPct()) ? "-" : Fmt.f0(ip.othersPct()) + "%"));
        }
        for (HttpResult h : http) {
            StepCpu c = h.cpu();
            if (c != null) {
                b.append(Fmt.of("- max batch %d, HTTP: server %.0f%% (%s), loadgen %.0f%%, other processes %.0f%%\n",
                        h.batch(), c.serverPct(), c.serverThreads(), c.toolPct(), c.othersPct()));
            }
        }
        for (int i = 0; i < in.size(); i++) {
            InProcessResult ip = in.get(i);
            HttpResult h = http.get(i);
            if (!Double.isNaN(ip.preprocessMs()) && h.valid()) {
                b.append(Fmt.of("- max batch %d: decoding + preprocessing one sample JPEG takes %.2f ms on one warm"
                        + " thread (in-process JVM); at the offered %.0f req/s, every one decoded (503s too), that is"
                        + " %.0f%% of a core on the server's HTTP threads\n", ip.batch(), ip.preprocessMs(),
                        h.offered(), h.offered() * ip.preprocessMs() / 10));
            }
        }
        b.append("  (server threads: http = Jetty's request threads, which read the body, decode and preprocess the"
                + " JPEG and write the JSON, for 503s too; tf-ops = TensorFlow's op threads (named model-loader after"
                + " the thread that created them); batcher-worker = the thread that calls TensorFlow; GC, JIT = the"
                + " JVM's)\n");
    }
}
