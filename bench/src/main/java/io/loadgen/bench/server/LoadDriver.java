package io.loadgen.bench.server;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Fmt;
import io.loadgen.bench.report.Outputs;
import io.loadgen.bench.report.ProgressLog;
import io.loadgen.core.report.SummaryFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * Drives a running {@code loadgen serve} with {@code loadgen run} in its own JVM ({@code -Xmx512m}): Poisson
 * arrivals at the offered rate to {@code /v1/classify} with the sample JPEGs, {@code --max-in-flight 64},
 * {@code --connections} as asked, the warm-up and duration of the settings, {@code --drain-timeout 2s}. Its output
 * goes to {@code loadgen-b<B>-<rate>.log} and its results directory to {@code loadgen-b<B>-<rate>/}.
 *
 * <p>While it runs, the CPU is taken ({@link CpuSnapshot}) from 1 s after the warm-up to 0.5 s before the schedule's
 * end, and halfway through the measured part a {@code top -H} snapshot of the server's threads goes to
 * {@code top-b<B>.txt}. ok/s and 503/s are counted over the measured window of {@code timeline.csv}
 * ({@link TimelineWindow}); latency comes from {@code summary.json}. Errors other than 503, requests that loadgen
 * dropped or left unfinished, an INVALID verdict, and a summary figure that the backlog inflates are noted.
 */
public final class LoadDriver {
    private final ServerSettings settings;
    private final Path cliJar;
    private final Path images;
    private final Outputs outputs;
    private final Notes notes;
    private final ProgressLog log;

    /**
     * @param settings rates, lengths and loadgen's fixed settings
     * @param cliJar loadgen-cli.jar
     * @param images the sample JPEGs, sent as payloads
     * @param outputs where the results go
     * @param notes where failures and disturbances are noted
     * @param log progress
     */
    public LoadDriver(ServerSettings settings, Path cliJar, Path images, Outputs outputs, Notes notes,
            ProgressLog log) {
        this.settings = settings;
        this.cliJar = cliJar;
        this.images = images;
        this.outputs = outputs;
        this.notes = notes;
        this.log = log;
    }

    /**
     * @param batch the server's max batch size, for names and notes
     * @param rate the offered rate, req/s
     * @param server the server, ready
     * @return what loadgen measured, or {@link HttpResult#failed} if it wrote no summary (a note says why)
     * @throws IOException if loadgen cannot be started
     * @throws InterruptedException if interrupted
     */
    public HttpResult run(int batch, double rate, ServeRunner.Running server) throws IOException, InterruptedException {
        String name = "loadgen-b" + batch + "-" + (long) rate;
        List<String> cmd = List.of(Machine.java(), "-Xmx512m", "-jar", cliJar.toString(), "run", "--target",
                "http://127.0.0.1:" + server.port() + "/v1/classify", "--payload", images.toString(), "--arrival",
                "poisson", "--rate", Fmt.f0(rate), "--max-in-flight", Integer.toString(ServerSettings.MAX_IN_FLIGHT),
                "--connections", Integer.toString(settings.connections()), "--warmup", settings.warmupSeconds() + "s",
                "--duration", settings.durationSeconds() + "s", "--drain-timeout", ServerSettings.DRAIN_TIMEOUT, "-q",
                "--out", outputs.runsDir().resolve(name).toString());
        return drive(batch, rate, name, cmd, settings.warmupSeconds(), settings.durationSeconds(), server);
    }

    /**
     * The same pipeline's shape as the in-process one: {@code concurrency} closed-loop clients, each sending its
     * next JPEG when its answer came ({@code loadgen run --concurrency K --connections K}), so the server is kept
     * full without being overloaded and sheds nothing.
     *
     * @param batch the server's max batch size, for names and notes
     * @param concurrency the clients, as many as the in-process pipeline's client threads
     * @param server the server, ready
     * @return what loadgen measured ({@code offered} is NaN: a closed loop offers no rate)
     * @throws IOException if loadgen cannot be started
     * @throws InterruptedException if interrupted
     */
    public HttpResult runClosed(int batch, int concurrency, ServeRunner.Running server) throws IOException,
            InterruptedException {
        String name = "loadgen-b" + batch + "-closed" + concurrency;
        List<String> cmd = List.of(Machine.java(), "-Xmx512m", "-jar", cliJar.toString(), "run", "--target",
                "http://127.0.0.1:" + server.port() + "/v1/classify", "--payload", images.toString(), "--concurrency",
                Integer.toString(concurrency), "--connections", Integer.toString(concurrency), "--warmup",
                settings.closedWarmupSeconds() + "s", "--duration", settings.closedDurationSeconds() + "s",
                "--drain-timeout", ServerSettings.DRAIN_TIMEOUT, "-q", "--out",
                outputs.runsDir().resolve(name).toString());
        return drive(batch, Double.NaN, name, cmd, settings.closedWarmupSeconds(), settings.closedDurationSeconds(),
                server);
    }

    private HttpResult drive(int batch, double rate, String name, List<String> cmd, int warmup, int duration,
            ServeRunner.Running server) throws IOException, InterruptedException {
        Path out = outputs.runsDir().resolve(name);
        Path logFile = outputs.runsDir().resolve(name + ".log");
        long t0 = System.nanoTime();
        StepCpu cpu;
        int exit;
        boolean timedOut;
        try (Proc p = Proc.start(cmd, logFile)) {
            // CPU over the measured part: from 1 s after the warm-up to 0.5 s before the schedule's end
            CpuSnapshot c0 = snapshotAt(t0, warmup + 1.0, p, server.pid());
            sleepUntil(t0, warmup + (duration - warmup) / 2.0, p);
            if (p.isAlive()) {
                top(batch, server.pid());
            }
            CpuSnapshot c1 = snapshotAt(t0, duration - 0.5, p, server.pid());
            OptionalInt code = p.waitOrKill(Duration.ofSeconds(duration + 60L));
            timedOut = p.timedOut();
            exit = code.orElse(-1);
            cpu = c0.until(c1);
        }
        notes.othersIfBusy("HTTP max batch " + batch, cpu);
        Path summary = out.resolve(SummaryFile.FILE);
        if (!Files.isRegularFile(summary)) {
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d wrote no summary.json (exit %d%s), see %s",
                    batch, exit, timedOut ? ", timed out" : "", outputs.rel(logFile)));
            return HttpResult.failed(batch, cpu);
        }
        if (exit != 0) {
            notes.add("loadgen max batch " + batch + " exited with " + exit + ", see " + outputs.rel(logFile));
        }
        return read(batch, rate, SummaryFile.read(summary), out, cpu);
    }

    private HttpResult read(int batch, double rate, SummaryFile s, Path out, StepCpu cpu) {
        double dur = s.durationS();
        SummaryFile.Errors e = s.errors();
        long hard = e.connect() + e.timeout() + e.http4xx();
        if (hard > 0) {
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d: %d connect errors, %d time-outs, %d 4xx",
                    batch, e.connect(), e.timeout(), e.http4xx()));
        }
        if (e.other() > 0 || s.dropped() > 0 || s.unfinished() > 0) {
            // after the drain time-out at the end of the schedule, loadgen drops what still waits in it for an
            // in-flight slot and records what is still in flight as unfinished
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d: %d requests dropped by loadgen (its in-flight"
                    + " limit, or still waiting at the end of the drain), %d unfinished when the drain ended"
                    + " (--drain-timeout %s), %d errors \"other\"", batch, s.dropped(), s.unfinished(),
                    ServerSettings.DRAIN_TIMEOUT, e.other()));
        }
        if (!s.verdict().valid()) {
            notes.add("loadgen max batch " + batch + ": the generator's verdict was INVALID: "
                    + String.join("; ", s.verdict().reasons()));
        }
        TimelineWindow window = TimelineWindow.read(out.resolve("timeline.csv"), s.warmupS(), dur).orElse(null);
        if (window == null) {
            notes.add("loadgen max batch " + batch + ": no usable timeline.csv; ok/s and 503/s from summary.json");
            window = new TimelineWindow(s.ok(), e.http5xx(), dur);
        }
        double okPerS = window.seconds() > 0 ? window.okPerS() : Double.NaN;
        double summaryOk = dur > 0 ? s.ok() / dur : Double.NaN;
        if (Math.abs(summaryOk - okPerS) > 0.05 * okPerS) {
            notes.add(String.format(Locale.ROOT, "max batch %d: summary.json's ok / duration_s is %.1f/s: it also"
                    + " counts the requests that completed after the schedule's end (loadgen's backlog draining);"
                    + " the table's %.1f/s counts the measured window only (timeline.csv)", batch, summaryOk, okPerS));
        }
        return new HttpResult(batch, rate, okPerS, window.seconds() > 0 ? window.e5xxPerS() : Double.NaN,
                s.latencyMs().p50(), s.latencyMs().p99(), summaryOk, dur > 0, cpu);
    }

    /** A {@code top -H} snapshot of the server's threads, if top is installed. */
    private void top(int batch, long serverPid) throws InterruptedException {
        if (Machine.which("top") == null) {
            return;
        }
        Path topFile = outputs.runsDir().resolve("top-b" + batch + ".txt");
        try {
            Proc.run(List.of("top", "-H", "-b", "-n", "1", "-w", "200", "-p", Long.toString(serverPid)), topFile,
                    Duration.ofSeconds(10));
        } catch (IOException e) {
            log.log("top -H did not run: %s", e.getMessage());
        }
    }

    private static CpuSnapshot snapshotAt(long t0, double seconds, Proc p, long serverPid)
            throws InterruptedException {
        sleepUntil(t0, seconds, p);
        return CpuSnapshot.take(p.pid(), serverPid);
    }

    /** Sleeps until t0 + seconds, or until the process has ended. */
    private static void sleepUntil(long t0, double seconds, Proc p) throws InterruptedException {
        long until = t0 + (long) (seconds * 1e9);
        while (p.isAlive() && System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
        }
    }
}
