package io.loadgen.bench;

import io.loadgen.core.report.SummaryFile;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The server benchmark: for each max batch size, the in-process throughput of the built-in MobileNetV2
 * ({@link ModelBench}, own JVM) next to the HTTP end-to-end saturation throughput of {@code loadgen serve} with the
 * same settings, driven by {@code loadgen run} at 1.5x the in-process rate, and their ratio. See bench/README.md.
 * Every process is separate, every step is bounded in time, and all traffic goes to 127.0.0.1.
 *
 * <pre>
 * bench/server [--quick] [--batches 1,8,32] [--factor 1.5]
 * </pre>
 */
public final class ServerBench {
    private static final int WORKERS = 1;
    private static final int INTRA_OP = 2;
    private static final int INTER_OP = 1;
    private static final String MAX_DELAY = "5ms";
    private static final int MAX_IN_FLIGHT = 64;
    /** loadgen's default: connections sized from the rate (at least 8). */
    static final int AUTO = 0;
    /**
     * Time the requests still in flight (or waiting in loadgen) get after the schedule ends: short, as what completes
     * then is outside the measured window anyway.
     */
    private static final String DRAIN_TIMEOUT = "2s";
    private static final double GOAL = 0.90;
    /** Linux's USER_HZ: the unit of the CPU times in /proc/PID/stat. */
    private static final double TICKS_PER_SECOND = 100;

    private final boolean quick;
    private final List<Integer> batches;
    private final double factor;
    private final int connections;
    private final Path root;
    private final Path cliJar;
    private final Path images;
    private final Path runsDir;
    private final Path resultsFile;
    private final String java;
    private final long startNanos = System.nanoTime();
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final List<String> notes = new ArrayList<>();
    private final List<String> cpuLines = new ArrayList<>();

    /** Timed part of the in-process run, settling before it, and the loadgen run's --warmup and --duration. */
    private final int inProcessSeconds;
    private final int settleSeconds;
    private final int warmupSeconds;
    private final int durationSeconds;

    private ServerBench(boolean quick, List<Integer> batches, double factor, int connections, Path root) {
        this.quick = quick;
        this.batches = batches;
        this.factor = factor;
        this.connections = connections;
        this.root = root;
        this.cliJar = root.resolve("loadgen-cli/target/loadgen-cli.jar");
        this.images = root.resolve("samples/images");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        this.runsDir = root.resolve("bench/target/server-runs/" + stamp);
        this.resultsFile = root.resolve("bench/results/server-" + stamp + ".md");
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.inProcessSeconds = quick ? 5 : 20;
        this.settleSeconds = quick ? 1 : 2;
        this.warmupSeconds = quick ? 2 : 5;
        this.durationSeconds = quick ? 8 : 20;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        List<Integer> batches = List.of(1, 8, 32);
        double factor = 1.5;
        int connections = MAX_IN_FLIGHT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).sorted().distinct().toList();
                case "--factor" -> factor = Double.parseDouble(args[++i]);
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bench/server [--quick] [--batches 1,8,32] [--factor 1.5]"
                            + " [--connections 64 (0: loadgen's default, sized from the rate)]");
                    return;
                }
                default -> {
                    System.err.println("server bench: unknown argument " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        ServerBench bench = new ServerBench(quick, batches, factor, connections, root);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::killAll, "server-bench-cleanup"));
        int code;
        try {
            code = bench.run();
        } finally {
            bench.killAll();
        }
        System.exit(code);
    }

    // ------------------------------------------------------------------------------------------ the plan

    private record InProc(int batch, double ips, double batchMs, double batchP99, double cpuPct, String others,
            double preprocessMs, boolean ok) {
    }

    /**
     * @param okPerS ok responses per second within the measured window (timeline.csv)
     * @param summaryOkPerS summary.json's ok / duration_s, which also counts what completed after the schedule's end
     */
    private record Http(int batch, double offered, double okPerS, double r503PerS, double p50, double p99,
            double summaryOkPerS, boolean valid) {
    }

    private int run() throws Exception {
        if (!Files.isRegularFile(cliJar)) {
            System.err.println("server bench: " + cliJar + " is missing; bench/server builds it");
            return 2;
        }
        if (!Files.isDirectory(images)) {
            System.err.println("server bench: " + images + " is missing");
            return 2;
        }
        Files.createDirectories(runsDir);
        waitForOtherBench();
        String loadStart = loadAvg();
        log("server bench (%s): %d cores, load average %s; batches %s; runs in %s", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), loadStart, batches, root.relativize(runsDir));

        List<InProc> in = new ArrayList<>();
        List<Http> http = new ArrayList<>();
        for (int b : batches) {
            InProc ip = inProcess(b);
            in.add(ip);
            log("in-process max batch %d: %.1f images/s, batch %.1f ms mean (p99 %.1f), CPU %.0f%%", b, ip.ips,
                    ip.batchMs, ip.batchP99, ip.cpuPct);
            double rate = ip.ok && ip.ips > 0 ? Math.max(1, Math.round(ip.ips * factor)) : 0;
            Http h = rate > 0 ? http(b, rate) : null;
            if (h == null) {
                notes.add("max batch " + b + ": no HTTP run (the in-process run failed)");
                h = new Http(b, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
            } else {
                log("HTTP max batch %d at %.0f/s: ok %.1f/s, 503 %.1f/s, p50/p99 %.0f/%.0f ms -> %.0f%% of"
                        + " in-process", b, h.offered, h.okPerS, h.r503PerS, h.p50, h.p99, 100 * h.okPerS / ip.ips);
            }
            http.add(h);
        }
        String loadEnd = loadAvg();
        String report = report(in, http, loadStart, loadEnd);
        System.out.println();
        System.out.print(report);
        Files.createDirectories(resultsFile.getParent());
        Files.writeString(resultsFile, report);
        System.out.println();
        System.out.println("written to " + root.relativize(resultsFile) + "; raw runs in " + root.relativize(runsDir));
        return 0;
    }

    /** Waits (up to 10 minutes, checking every 15 s) while an engine benchmark runs: both need the whole machine. */
    private void waitForOtherBench() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        boolean waited = false;
        while (otherBenchRunning()) {
            if (System.nanoTime() > deadline) {
                notes.add("an EngineBench was still running after 10 minutes of waiting: figures are disturbed");
                log("EngineBench still running after 10 minutes; going on");
                return;
            }
            if (!waited) {
                log("EngineBench is running; waiting for it to finish (up to 10 minutes)");
                waited = true;
            }
            Thread.sleep(15_000);
        }
    }

    private static boolean otherBenchRunning() {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses().anyMatch(p -> p.pid() != self && p.info().commandLine()
                .map(c -> c.contains("io.loadgen.bench.EngineBench")).orElse(false));
    }

    // ------------------------------------------------------------------------------------------ in-process

    private InProc inProcess(int batch) throws Exception {
        String name = "inprocess-b" + batch;
        LineProcess p = LineProcess.start(this, List.of(java, "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                ModelBench.class.getName(), Integer.toString(batch), Integer.toString(inProcessSeconds),
                Integer.toString(INTRA_OP), Integer.toString(INTER_OP), images.toString(),
                Integer.toString(settleSeconds)), runsDir.resolve(name + ".log"));
        try {
            String loaded = p.await(l -> l.startsWith("LOADED"), 300);
            if (loaded == null || p.await(l -> l.equals("MEASURE_START"), settleSeconds + 60) == null) {
                return failedInProc(batch, name, p, "did not start measuring");
            }
            Cpu c0 = cpu(p.process.pid(), -1);
            if (p.await(l -> l.equals("MEASURE_END"), inProcessSeconds + 60) == null) {
                return failedInProc(batch, name, p, "did not finish measuring");
            }
            Cpu c1 = cpu(p.process.pid(), -1);
            String result = p.await(l -> l.startsWith("RESULT"), 30);
            if (result == null) {
                return failedInProc(batch, name, p, "printed no RESULT");
            }
            String pre = p.await(l -> l.startsWith("PREPROCESS"), settleSeconds + 30L);
            p.stop(30);
            Map<String, String> r = keyValues(result);
            double preMs = pre == null ? Double.NaN : dbl(keyValues(pre), "ms_per_image");
            double others = c0.othersPct(c1);
            String othersText = String.format(Locale.ROOT, "%.0f%%", others);
            noteOthers("in-process max batch " + batch, others, c0, c1);
            log("in-process max batch %d: %s; %s; %s", batch, loaded, result, pre);
            return new InProc(batch, dbl(r, "images_per_s"), dbl(r, "batch_ms_mean"), dbl(r, "batch_ms_p99"),
                    dbl(r, "cpu_pct"), othersText, preMs, true);
        } finally {
            p.stop(10);
        }
    }

    private InProc failedInProc(int batch, String name, LineProcess p, String what) {
        notes.add("in-process max batch " + batch + " " + what + " (exit " + p.exitText() + "), see "
                + root.relativize(runsDir.resolve(name + ".log")));
        return new InProc(batch, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "-", Double.NaN, false);
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    private Http http(int batch, double rate) throws Exception {
        String name = "serve-b" + batch;
        int queue = 2 * batch + 16;
        LineProcess server = LineProcess.start(this, List.of(java, "-jar", cliJar.toString(), "serve", "--host",
                "127.0.0.1", "--port", "0", "--max-batch", Integer.toString(batch), "--max-delay", MAX_DELAY,
                "--queue", Integer.toString(queue), "--workers", Integer.toString(WORKERS), "--intra-op-threads",
                Integer.toString(INTRA_OP)), runsDir.resolve(name + ".log"));
        try {
            String listening = server.await(l -> LISTENING.matcher(l).find(), 60);
            if (listening == null) {
                notes.add("server max batch " + batch + " did not listen (exit " + server.exitText() + "), see "
                        + root.relativize(runsDir.resolve(name + ".log")));
                return null;
            }
            Matcher m = LISTENING.matcher(listening);
            m.find();
            int port = Integer.parseInt(m.group(1));
            if (server.await(l -> l.startsWith("ready: model"), 300) == null) {
                notes.add("server max batch " + batch + " was not ready in 300 s (exit " + server.exitText()
                        + "), see " + root.relativize(runsDir.resolve(name + ".log")));
                return null;
            }
            log("loadgen serve --max-batch %d --queue %d ready on 127.0.0.1:%d; loadgen run at %.0f/s", batch, queue,
                    port, rate);
            return loadgen(batch, rate, port, server.process.pid());
        } finally {
            // SIGTERM: the server drains what it accepted, then exits
            server.stop(30);
            if (server.killed) {
                notes.add("server max batch " + batch + " did not stop within 30 s of SIGTERM: killed");
            }
        }
    }

    private Http loadgen(int batch, double rate, int port, long serverPid) throws Exception {
        String name = "loadgen-b" + batch + "-" + (long) rate;
        Path out = runsDir.resolve(name);
        Path logFile = runsDir.resolve(name + ".log");
        List<String> cmd = List.of(java, "-Xmx512m", "-jar", cliJar.toString(), "run", "--target",
                "http://127.0.0.1:" + port + "/v1/classify", "--payload", images.toString(), "--arrival", "poisson",
                "--rate", fmt0(rate), "--max-in-flight", Integer.toString(MAX_IN_FLIGHT), "--connections",
                Integer.toString(connections), "--warmup", warmupSeconds + "s", "--duration", durationSeconds + "s",
                "--drain-timeout", DRAIN_TIMEOUT, "-q", "--out", out.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        // a benchmark must not pick up somebody's LOADGEN_* settings
        pb.environment().keySet().removeIf(k -> k.startsWith("LOADGEN_"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        live.add(p);
        boolean timedOut = false;
        Cpu c0 = null;
        Cpu c1 = null;
        try {
            // CPU over the measured part: from 1 s after the warm-up to 0.5 s before the schedule's end
            c0 = cpuAt(t0, warmupSeconds + 1.0, p, serverPid);
            sleepUntil(t0, warmupSeconds + (durationSeconds - warmupSeconds) / 2.0, p);
            if (p.isAlive()) {
                Path topFile = runsDir.resolve("top-b" + batch + ".txt");
                exec(List.of("top", "-H", "-b", "-n", "1", "-w", "200", "-p", Long.toString(serverPid)), topFile, 10);
            }
            c1 = cpuAt(t0, durationSeconds - 0.5, p, serverPid);
            if (!p.waitFor(durationSeconds + 60L, TimeUnit.SECONDS)) {
                timedOut = true;
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        } finally {
            live.remove(p);
        }
        if (c0 != null && c1 != null) {
            double others = c0.othersPct(c1);
            noteOthers("HTTP max batch " + batch, others, c0, c1);
            cpuLines.add(String.format(Locale.ROOT, "max batch %d, HTTP: server %.0f%% (%s), loadgen %.0f%%, other"
                    + " processes %.0f%%", batch, c0.serverPct(c1), c0.serverThreads(c1), c0.toolPct(c1), others));
        }
        Path summary = out.resolve("summary.json");
        int exit = timedOut ? -1 : p.exitValue();
        if (!Files.isRegularFile(summary)) {
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d wrote no summary.json (exit %d%s), see %s",
                    batch, exit, timedOut ? ", timed out" : "", root.relativize(logFile)));
            return null;
        }
        if (exit != 0) {
            notes.add("loadgen max batch " + batch + " exited with " + exit + ", see " + root.relativize(logFile));
        }
        SummaryFile s = SummaryFile.read(summary);
        double dur = s.durationS();
        long ok = s.ok();
        SummaryFile.Errors e = s.errors();
        long e5xx = e.http5xx();
        long dropped = s.dropped();
        long other = e.other();
        long hard = e.connect() + e.timeout() + e.http4xx();
        if (hard > 0) {
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d: %d connect errors, %d time-outs, %d 4xx",
                    batch, e.connect(), e.timeout(), e.http4xx()));
        }
        if (other > 0 || dropped > 0 || s.unfinished() > 0) {
            // after the drain time-out at the end of the schedule, loadgen drops what still waits in it for an
            // in-flight slot and records what is still in flight as unfinished
            notes.add(String.format(Locale.ROOT, "loadgen max batch %d: %d requests dropped by loadgen (its in-flight"
                    + " limit, or still waiting at the end of the drain), %d unfinished when the drain ended"
                    + " (--drain-timeout %s), %d errors \"other\"", batch, dropped, s.unfinished(), DRAIN_TIMEOUT,
                    other));
        }
        if (!s.verdict().valid()) {
            notes.add("loadgen max batch " + batch + ": the generator's verdict was INVALID: "
                    + String.join("; ", s.verdict().reasons()));
        }
        double[] window = window(out.resolve("timeline.csv"), s.warmupS(), dur);
        if (window == null) {
            notes.add("loadgen max batch " + batch + ": no usable timeline.csv; ok/s and 503/s from summary.json");
            window = new double[] {ok, e5xx, dur};
        }
        double okPerS = window[2] > 0 ? window[0] / window[2] : Double.NaN;
        double summaryOk = dur > 0 ? ok / dur : Double.NaN;
        if (Math.abs(summaryOk - okPerS) > 0.05 * okPerS) {
            notes.add(String.format(Locale.ROOT, "max batch %d: summary.json's ok / duration_s is %.1f/s: it also"
                    + " counts the requests that completed after the schedule's end (loadgen's backlog draining);"
                    + " the table's %.1f/s counts the measured window only (timeline.csv)", batch, summaryOk, okPerS));
        }
        return new Http(batch, rate, okPerS, window[2] > 0 ? window[1] / window[2] : Double.NaN,
                s.latencyMs().p50(), s.latencyMs().p99(), summaryOk, dur > 0);
    }

    /**
     * Sums the intervals of timeline.csv that lie in the measured window [warmup, warmup + duration].
     *
     * @return {ok, 5xx, seconds}, or null
     */
    private static double[] window(Path timeline, double warmup, double duration) {
        try {
            List<String> lines = Files.readAllLines(timeline);
            List<String> head = Arrays.asList(lines.get(0).split(","));
            int elapsed = head.indexOf("elapsed_s");
            int length = head.indexOf("length_s");
            int ok = head.indexOf("ok");
            int e5xx = head.indexOf("err_5xx");
            if (elapsed < 0 || length < 0 || ok < 0 || e5xx < 0) {
                return null;
            }
            double[] sum = new double[3];
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split(",");
                double start = Double.parseDouble(f[elapsed]);
                double len = Double.parseDouble(f[length]);
                if (start >= warmup - 0.05 && start + len <= warmup + duration + 0.05) {
                    sum[0] += Double.parseDouble(f[ok]);
                    sum[1] += Double.parseDouble(f[e5xx]);
                    sum[2] += len;
                }
            }
            return sum[2] > 0 ? sum : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private Cpu cpuAt(long t0, double seconds, Process p, long serverPid) throws InterruptedException {
        sleepUntil(t0, seconds, p);
        return cpu(p.pid(), serverPid);
    }

    private static void sleepUntil(long t0, double seconds, Process p) throws InterruptedException {
        long until = t0 + (long) (seconds * 1e9);
        while (p.isAlive() && System.nanoTime() < until) {
            Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    // ------------------------------------------------------------------------------------------ CPU

    /**
     * A snapshot of CPU times in clock ticks, from /proc: of the measured tool (the in-process JVM, or loadgen), of the
     * server and of each of its threads, and of every other process but this JVM and kernel threads (own plus reaped
     * children, so that short-lived processes are counted).
     */
    private record Cpu(long nanos, long tool, long server, Map<Long, String> threadNames, Map<Long, Long> threads,
            Map<Long, Long> others, Map<Long, String> names) {
        double core(Cpu end) {
            return (end.nanos - nanos) / 1e9 * TICKS_PER_SECOND;
        }

        double toolPct(Cpu end) {
            return 100 * (end.tool - tool) / core(end);
        }

        double serverPct(Cpu end) {
            return 100 * (end.server - server) / core(end);
        }

        double othersPct(Cpu end) {
            long sum = 0;
            for (Map.Entry<Long, Long> e : end.others.entrySet()) {
                sum += e.getValue() - others.getOrDefault(e.getKey(), 0L);
            }
            for (Map.Entry<Long, Long> e : others.entrySet()) {
                if (!end.others.containsKey(e.getKey())) {
                    // ended during the step: its parent's reaped-children time now holds its whole life
                    sum -= e.getValue();
                }
            }
            return Math.max(0, 100 * sum / core(end));
        }

        String topOthers(Cpu end) {
            double c = core(end);
            return end.others.entrySet().stream()
                    .map(e -> Map.entry(end.names.get(e.getKey()) + "[" + e.getKey() + "]",
                            e.getValue() - others.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(2)
                    .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / c))
                    .collect(Collectors.joining(", "));
        }

        /** @return the server's CPU by thread group, e.g. "http 80%, tf 90%, batcher-worker 10%" */
        String serverThreads(Cpu end) {
            double c = core(end);
            Map<String, Long> groups = new LinkedHashMap<>();
            for (Map.Entry<Long, Long> e : end.threads.entrySet()) {
                long d = e.getValue() - threads.getOrDefault(e.getKey(), 0L);
                groups.merge(group(end.threadNames.get(e.getKey())), d, Long::sum);
            }
            return groups.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                    .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / c))
                    .collect(Collectors.joining(", "));
        }
    }

    /** Thread names without their numbers: "http-23" and "http-7" are both "http". */
    static String group(String comm) {
        if (comm == null) {
            return "?";
        }
        String g = comm.replaceAll("[-_#\\s]*\\d*$", "");
        if (g.equals("model-loader")) {
            // TensorFlow's op threads are created while the model-loader thread loads and warms the model
            return "tf-ops";
        }
        if (g.startsWith("C1 Compiler") || g.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (g.startsWith("GC Thread") || g.startsWith("G1 ")) {
            return "GC";
        }
        return g.isEmpty() ? comm : g;
    }

    private Cpu cpu(long toolPid, long serverPid) {
        long self = ProcessHandle.current().pid();
        long tool = 0;
        long server = 0;
        Map<Long, Long> others = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) procs::iterator) {
                String n = dir.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(n);
                String[] f = procStat(dir.resolve("stat"));
                if (f == null) {
                    continue;
                }
                long ppid = Long.parseLong(f[1]);
                long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                long reaped = Long.parseLong(f[13]) + Long.parseLong(f[14]);
                if (pid == toolPid) {
                    tool = own;
                } else if (pid == serverPid) {
                    server = own;
                } else if (pid != self && ppid != self && pid != 2 && ppid != 2) {
                    others.put(pid, own + reaped);
                    names.put(pid, f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // partial figures
        }
        Map<Long, Long> threads = new HashMap<>();
        Map<Long, String> threadNames = new HashMap<>();
        if (serverPid > 0) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + serverPid + "/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String[] f = procStat(t.resolve("stat"));
                    if (f != null) {
                        long tid = Long.parseLong(t.getFileName().toString());
                        threads.put(tid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                        threadNames.put(tid, f[f.length - 1]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the server is gone
            }
        }
        return new Cpu(System.nanoTime(), tool, server, threadNames, threads, others, names);
    }

    /** Notes a step during which other processes took more than half a core. */
    private void noteOthers(String step, double others, Cpu start, Cpu end) {
        if (others > 50) {
            String msg = String.format(Locale.ROOT, "%s: other processes used %.0f%% of a core (%s)", step, others,
                    start.topOthers(end));
            notes.add(msg);
            log("%s", msg);
        }
    }

    /** @return the fields of a /proc stat file after the command name (0 = state, 1 = ppid, 11 = utime), then the name */
    private static String[] procStat(Path file) {
        try {
            String stat = Files.readString(file);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            String[] g = Arrays.copyOf(f, f.length + 1);
            g[f.length] = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            return g;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ the report

    private String report(List<InProc> in, List<Http> http, String loadStart, String loadEnd) {
        StringBuilder b = new StringBuilder();
        b.append("# loadgen server benchmark").append(quick ? " (quick)" : "").append("\n\n");
        b.append(String.format(Locale.ROOT, "%s, %d cores, load average %s at start, %s at end; %s; %d s in all.%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                Runtime.getRuntime().availableProcessors(), loadStart, loadEnd,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos)));
        b.append(String.format(Locale.ROOT, "Both measurements: built-in MobileNetV2 1.0 224 (untrained), workers %d,"
                + " TensorFlow intra-op threads %d, inter-op %d. In-process: own JVM, warmUp(max batch), %d s of"
                + " predict at the max batch, then %d s timed, back to back, on the %d sample JPEGs preprocessed"
                + " once. HTTP: `loadgen serve --max-batch B --max-delay %s --queue 2B+16 --workers %d"
                + " --intra-op-threads %d`, driven by `loadgen run --arrival poisson --rate <offered> --max-in-flight"
                + " %d --warmup %ds --duration %ds` (%d s measured) with the same JPEGs; offered = %.1fx the"
                + " in-process images/s; --connections %s%s. ok/s and 503/s: per second of the measured window (timeline.csv); ratio = HTTP ok/s /"
                + " in-process images/s. p50/p99 = latency of all completed requests, OK and 503 alike (summary.json"
                + " does not separate them), from the intended send time.%n%n", WORKERS, INTRA_OP, INTER_OP,
                settleSeconds, inProcessSeconds, countImages(), MAX_DELAY, WORKERS, INTRA_OP, MAX_IN_FLIGHT,
                warmupSeconds, durationSeconds, durationSeconds - warmupSeconds, factor,
                connections == AUTO ? "0 (sized from the rate: max(8, rate x 20 ms))" : Integer.toString(connections),
                connections >= MAX_IN_FLIGHT ? ", so that every request in flight reaches the server" : ""));
        String[] head = {"max batch", "in-process images/s", "in-process batch ms", "HTTP offered", "HTTP ok/s",
            "503/s", "ratio %", "p50 ms", "p99 ms"};
        List<String[]> rows = new ArrayList<>();
        rows.add(head);
        for (int i = 0; i < in.size(); i++) {
            InProc ip = in.get(i);
            Http h = http.get(i);
            rows.add(new String[] {Integer.toString(ip.batch), fmt1(ip.ips), fmt1(ip.batchMs),
                fmt0(h.valid ? h.offered : Double.NaN), fmt1(h.okPerS), fmt1(h.r503PerS), fmt0(ratio(ip, h)),
                fmt0(h.p50), fmt0(h.p99)});
        }
        table(b, rows);
        b.append('\n');

        Http off = http.stream().filter(h -> h.batch == 1).findFirst().orElse(null);
        List<Http> on = http.stream().filter(h -> h.batch > 1).toList();
        if (off != null && !on.isEmpty()) {
            b.append(String.format(Locale.ROOT, "batching on (max batch %s) vs off (1) at saturation: %s / %s ok/s ="
                    + " %s x%n", on.stream().map(h -> Integer.toString(h.batch)).collect(Collectors.joining("/")),
                    on.stream().map(h -> fmt1(h.okPerS)).collect(Collectors.joining("/")), fmt1(off.okPerS),
                    on.stream().map(h -> fmt2(h.okPerS / off.okPerS)).collect(Collectors.joining("/"))));
        }
        List<String> goal = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            double r = ratio(in.get(i), http.get(i));
            goal.add(String.format(Locale.ROOT, "max batch %d %s (%s%%)", in.get(i).batch,
                    Double.isNaN(r) ? "not measured" : r >= 100 * GOAL ? "met" : "NOT met", fmt0(r)));
        }
        b.append("goal HTTP >= 90% of in-process: ").append(String.join(", ", goal)).append('\n');

        b.append("\nCPU, 100% = one core, over the timed part:\n");
        for (InProc ip : in) {
            b.append(String.format(Locale.ROOT, "- max batch %d, in-process: model JVM %s%%, other processes %s%n",
                    ip.batch, fmt0(ip.cpuPct), ip.others));
        }
        for (String l : cpuLines) {
            b.append("- ").append(l).append('\n');
        }
        for (int i = 0; i < in.size(); i++) {
            InProc ip = in.get(i);
            Http h = http.get(i);
            if (!Double.isNaN(ip.preprocessMs) && h.valid) {
                b.append(String.format(Locale.ROOT, "- max batch %d: decoding + preprocessing one sample JPEG takes"
                        + " %.2f ms on one warm thread (in-process JVM); at the offered %.0f req/s, every one decoded"
                        + " (503s too), that is %.0f%% of a core on the server's HTTP threads%n", ip.batch,
                        ip.preprocessMs, h.offered, h.offered * ip.preprocessMs / 10));
            }
        }
        b.append("  (server threads: http = Jetty's request threads, which read the body, decode and preprocess the"
                + " JPEG and write the JSON, for 503s too; tf-ops = TensorFlow's op threads (named model-loader after"
                + " the thread that created them); batcher-worker = the thread that calls TensorFlow; GC, JIT = the"
                + " JVM's)\n");
        if (!notes.isEmpty()) {
            b.append("\nnotes:\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    private static double ratio(InProc ip, Http h) {
        return h.valid && ip.ips > 0 ? 100 * h.okPerS / ip.ips : Double.NaN;
    }

    private long countImages() {
        try (Stream<Path> s = Files.list(images)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void table(StringBuilder b, List<String[]> all) {
        int[] width = new int[all.get(0).length];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int k = 0; k < all.size(); k++) {
            String[] r = all.get(k);
            b.append('|');
            for (int i = 0; i < r.length; i++) {
                b.append(' ').append(" ".repeat(width[i] - r[i].length())).append(r[i]).append(" |");
            }
            b.append('\n');
            if (k == 0) {
                b.append('|');
                for (int w : width) {
                    b.append('-').append("-".repeat(w)).append(":|");
                }
                b.append('\n');
            }
        }
    }

    // ------------------------------------------------------------------------------------------ processes

    /** A child process whose output (stdout and stderr) goes to a log file, line by line, and to a queue. */
    private static final class LineProcess {
        final Process process;
        private final ServerBench bench;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private volatile boolean ended;
        boolean killed;

        private LineProcess(ServerBench bench, Process process) {
            this.bench = bench;
            this.process = process;
        }

        static LineProcess start(ServerBench bench, List<String> cmd, Path log) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("LOADGEN_"));
            Process p = pb.start();
            bench.live.add(p);
            LineProcess lp = new LineProcess(bench, p);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8)); BufferedWriter w = Files.newBufferedWriter(log)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        w.write(line);
                        w.newLine();
                        w.flush();
                        lp.lines.add(line);
                    }
                } catch (IOException e) {
                    // the process is gone
                } finally {
                    lp.ended = true;
                }
            }, "output-" + p.pid());
            reader.setDaemon(true);
            reader.start();
            return lp;
        }

        /** @return the first line (from here on) that matches, or null after the time-out or the end of output */
        String await(Predicate<String> match, long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(200, TimeUnit.MILLISECONDS);
                if (l != null) {
                    if (match.test(l)) {
                        return l;
                    }
                } else if (ended && lines.isEmpty()) {
                    return null;
                }
            }
            return null;
        }

        /** SIGTERM, then SIGKILL if it has not exited within the time. */
        void stop(long seconds) throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                    killed = true;
                }
            }
            bench.live.remove(process);
        }

        String exitText() {
            return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
        }
    }

    private int exec(List<String> cmd, Path out, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        live.add(p);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } finally {
            live.remove(p);
        }
    }

    private void killAll() {
        for (Process p : live) {
            p.destroy();
        }
        for (Process p : live) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        live.clear();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Map<String, String> keyValues(String line) {
        Map<String, String> m = new HashMap<>();
        for (String kv : line.split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private static double dbl(Map<String, String> m, String key) {
        try {
            return Double.parseDouble(m.get(key));
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%3ds] %s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
                String.format(Locale.ROOT, format, args));
    }

    static String fmt0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String fmt1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt2(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
