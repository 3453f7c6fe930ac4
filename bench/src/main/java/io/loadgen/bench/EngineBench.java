package io.loadgen.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The engine benchmark: on one loopback {@link HelloServer}, measures wrk's closed-loop saturation throughput, h2load
 * open loop ({@code --rps}), and {@code loadgen run} at constant arrival for a few rates (send lag, latency, heap at
 * 10k req/s), then searches the highest rate loadgen sustains (achieved >= 99% of offered and send lag p99 < 1 ms).
 * Every tool runs in its own process, every step is bounded in time, and all traffic goes to 127.0.0.1.
 *
 * <pre>
 * bench/engine [--quick] [--budget SECONDS] [--rates 1000,5000,10000,20000] [--loadgen-arg ARG]...
 * </pre>
 */
public final class EngineBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SUSTAIN_ACHIEVED = 0.99;
    private static final double SUSTAIN_LAG_P99_MS = 1.0;
    private static final double HEAP_RATE = 10_000;
    private static final int H2LOAD_RPS_PER_CLIENT = 250;
    private static final String LOADGEN_XMX = "-Xmx512m";

    private final boolean quick;
    private final long budgetNanos;
    private final List<Double> rates;
    private final List<String> loadgenArgs;
    private final Path root;
    private final Path cliJar;
    private final Path runsDir;
    private final Path resultsFile;
    private final String java;
    private final long startNanos = System.nanoTime();
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int port;

    private EngineBench(boolean quick, long budgetSeconds, List<Double> rates, List<String> loadgenArgs, Path root) {
        this.quick = quick;
        this.budgetNanos = TimeUnit.SECONDS.toNanos(budgetSeconds);
        this.rates = rates;
        this.loadgenArgs = loadgenArgs;
        this.root = root;
        this.cliJar = root.resolve("loadgen-cli/target/loadgen-cli.jar");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        this.runsDir = root.resolve("bench/target/engine-runs/" + stamp);
        this.resultsFile = root.resolve("bench/results/engine-" + stamp + ".md");
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        long budget = 480;
        List<Double> rates = List.of(1000.0, 5000.0, 10_000.0, 20_000.0);
        List<String> lgArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--budget" -> budget = Long.parseLong(args[++i]);
                case "--rates" -> rates = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Double::parseDouble).sorted().toList();
                case "--loadgen-arg" -> lgArgs.add(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bench/engine [--quick] [--budget SECONDS] [--rates 1000,5000,...]"
                            + " [--loadgen-arg ARG]...");
                    return;
                }
                default -> {
                    System.err.println("engine bench: unknown argument " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        EngineBench bench = new EngineBench(quick, budget, rates, lgArgs, root);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::killAll, "engine-bench-cleanup"));
        int code;
        try {
            code = bench.run();
        } finally {
            bench.killAll();
        }
        System.exit(code);
    }

    // ------------------------------------------------------------------------------------------ the plan

    private int run() throws Exception {
        if (!Files.isRegularFile(cliJar)) {
            System.err.println("engine bench: " + cliJar + " is missing; build with mvn -B -ntp -DskipTests package");
            return 2;
        }
        for (String tool : List.of("wrk", "h2load")) {
            if (which(tool) == null) {
                System.err.println("engine bench: " + tool + " is not on the PATH (bench/engine installs it)");
                return 2;
            }
        }
        Files.createDirectories(runsDir);
        int step = quick ? 3 : 10;
        String loadStart = loadAvg();
        log("engine bench (%s): %d cores, load average %s; runs in %s", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), loadStart, root.relativize(runsDir));

        Process server = startServer();
        log("HelloServer (HttpCore5 async, own JVM) on 127.0.0.1:%d", port);

        // warm-up: server JIT, loopback, page cache
        Wrk warm = wrk(1, 32, quick ? 2 : 5);
        log("warm-up wrk: %.0f req/s", warm.rps);

        Wrk w1 = wrk(1, 32, step);
        rows.add(w1.row());
        log("wrk -t1 -c32: %.0f req/s", w1.rps);
        Wrk w2 = wrk(2, 32, step);
        rows.add(w2.row());
        log("wrk -t2 -c32: %.0f req/s", w2.rps);
        Wrk wrkBest = w2.rps > w1.rps ? w2 : w1;

        for (double r : rates) {
            H2load h = h2load(r, step);
            rows.add(h.row());
            log("h2load %s: %.0f req/s", h.mode, h.achieved);
        }

        Lg warmLg = loadgen(5000, quick ? 3 : 5, "warmup", false);
        log("warm-up loadgen 5000/s: achieved %.0f, send lag p99 %.3f ms", warmLg.achieved, warmLg.lagP99);

        TreeMap<Double, Boolean> sustained = new TreeMap<>();
        Lg heapRun = null;
        for (double r : rates) {
            boolean sample = r == HEAP_RATE;
            Lg lg = loadgen(r, step, "fixed", sample);
            rows.add(lg.row("open, constant, " + step + "s"));
            sustained.put(r, lg.sustained());
            if (sample) {
                heapRun = lg;
            }
            log("loadgen %.0f/s: %s", r, lg.brief());
        }
        if (heapRun == null) {
            heapRun = loadgen(HEAP_RATE, step, "heap", true);
            rows.add(heapRun.row("open, constant, " + step + "s (heap)"));
            sustained.put(HEAP_RATE, heapRun.sustained());
            log("loadgen %.0f/s: %s", HEAP_RATE, heapRun.brief());
        }

        double best;
        String bestHow;
        if (quick) {
            best = sustained.entrySet().stream().filter(Map.Entry::getValue).mapToDouble(Map.Entry::getKey).max()
                    .orElse(0);
            bestHow = "quick mode: highest sustained of the fixed rates, no search";
        } else {
            best = search(sustained, wrkBest.rps, step);
            bestHow = "search, " + step + " s per trial";
        }

        String loadEnd = loadAvg();
        server.destroy();
        server.waitFor(5, TimeUnit.SECONDS);
        String report = report(wrkBest, heapRun, best, bestHow, loadStart, loadEnd);
        System.out.println();
        System.out.print(report);
        Files.createDirectories(resultsFile.getParent());
        Files.writeString(resultsFile, report);
        System.out.println();
        System.out.println("written to " + root.relativize(resultsFile) + "; raw runs in " + root.relativize(runsDir));
        return 0;
    }

    /**
     * Brackets the highest sustained rate from the fixed rates, steps up by 25% while it holds, then bisects down to
     * a 5% (at least 200 req/s) resolution, within the time budget.
     */
    private double search(TreeMap<Double, Boolean> results, double wrkRps, int seconds) throws Exception {
        double lo0 = results.entrySet().stream().filter(Map.Entry::getValue).mapToDouble(Map.Entry::getKey).max()
                .orElse(0);
        double lo = lo0;
        Double hi = results.entrySet().stream().filter(e -> !e.getValue() && e.getKey() > lo0)
                .map(Map.Entry::getKey).min(Double::compare).orElse(null);
        double cap = Math.max(wrkRps * 1.1, 1000);
        long trialNanos = TimeUnit.SECONDS.toNanos(seconds + 6);
        log("search: sustained at %.0f, not at %s; budget %ds, %ds used", lo, hi == null ? "-" : fmt0(hi),
                TimeUnit.NANOSECONDS.toSeconds(budgetNanos), TimeUnit.NANOSECONDS.toSeconds(elapsed()));
        if (lo == 0) {
            // nothing sustained: step down from the lowest failing rate
            double r = round100((hi == null ? 1000 : hi) / 2);
            while (r >= 100 && fits(trialNanos)) {
                if (trial(r, seconds, results)) {
                    return r;
                }
                hi = r;
                r = round100(r / 2);
            }
            return 0;
        }
        while (hi == null && fits(trialNanos)) {
            double r = round100(lo * 1.25);
            if (r > cap) {
                notes.add(String.format(Locale.ROOT, "search stopped at %.0f req/s: above 110%% of wrk's saturation",
                        r));
                break;
            }
            if (trial(r, seconds, results)) {
                lo = r;
            } else {
                hi = r;
            }
        }
        int bisections = 0;
        while (hi != null && hi - lo > Math.max(200, lo * 0.05) && bisections < 6 && fits(trialNanos)) {
            double mid = round100((lo + hi) / 2);
            if (mid <= lo || mid >= hi) {
                break;
            }
            bisections++;
            if (trial(mid, seconds, results)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        if (!fits(trialNanos)) {
            notes.add("search cut short by the time budget (--budget " + TimeUnit.NANOSECONDS.toSeconds(budgetNanos)
                    + ")");
        }
        // re-run the answer once: a single 10 s run on a shared box is noisy
        if (fits(trialNanos)) {
            Lg again = loadgen(lo, seconds, "confirm", false);
            rows.add(again.row("open, constant, " + seconds + "s (re-run)"));
            log("loadgen %.0f/s re-run: %s", lo, again.brief());
            if (!again.sustained()) {
                notes.add(String.format(Locale.ROOT, "the re-run at %.0f req/s did not hold (%s): the figure is at"
                        + " the edge of what this box gives", lo, again.why()));
            }
        }
        return lo;
    }

    private boolean trial(double rate, int seconds, TreeMap<Double, Boolean> results) throws Exception {
        Lg lg = loadgen(rate, seconds, "search", false);
        rows.add(lg.row("open, constant, " + seconds + "s (search)"));
        results.put(rate, lg.sustained());
        log("search loadgen %.0f/s: %s", rate, lg.brief());
        return lg.sustained();
    }

    private boolean fits(long nanos) {
        return elapsed() + nanos <= budgetNanos;
    }

    // ------------------------------------------------------------------------------------------ the server

    private Process startServer() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                HelloServer.class.getName(), "0", "--async");
        pb.redirectError(runsDir.resolve("server.log").toFile());
        Process p = pb.start();
        live.add(p);
        CompletableFuture<Integer> portFuture = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("PORT ")) {
                        portFuture.complete(Integer.parseInt(line.substring(5).trim()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                portFuture.completeExceptionally(e);
            }
            portFuture.completeExceptionally(new IllegalStateException("HelloServer exited before listening"));
        }, "server-stdout");
        reader.setDaemon(true);
        reader.start();
        port = portFuture.get(20, TimeUnit.SECONDS);
        return p;
    }

    private String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    // ------------------------------------------------------------------------------------------ wrk

    private record Wrk(String mode, double rps, double p50, double p99, double max, long errors) {
        Row row() {
            return new Row("wrk", mode, "-", fmt0(rps), Long.toString(errors), "-", "-", "-", fmt3(p50), fmt3(p99),
                    "-");
        }
    }

    private Wrk wrk(int threads, int conns, int seconds) throws Exception {
        String mode = "closed-loop -t" + threads + " -c" + conns + " -d" + seconds + "s";
        Path out = runsDir.resolve("wrk-t" + threads + "-c" + conns + "-" + seconds + "s-" + elapsedSeconds()
                + ".txt");
        int code = exec(List.of("wrk", "-t" + threads, "-c" + conns, "-d" + seconds + "s", "--latency", url()), out,
                seconds + 20);
        String text = Files.readString(out);
        if (code != 0) {
            notes.add("wrk " + mode + " exited with " + code + " (see " + root.relativize(out) + ")");
        }
        double rps = number(text, "Requests/sec:\\s+([\\d.]+)");
        double p50 = duration(text, "\\n\\s+50%\\s+([\\d.]+\\w+)");
        double p99 = duration(text, "\\n\\s+99%\\s+([\\d.]+\\w+)");
        double max = Double.NaN;
        Matcher m = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+([\\d.]+\\w+)").matcher(text);
        if (m.find()) {
            max = millis(m.group(1));
        }
        long errors = 0;
        Matcher se = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(text);
        if (se.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(se.group(i));
            }
        }
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(text);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new Wrk(mode, rps, p50, p99, max, errors);
    }

    // ------------------------------------------------------------------------------------------ h2load

    private record H2load(String mode, double offered, double achieved, long errors, double p50, double p99) {
        Row row() {
            return new Row("h2load", mode, fmt0(offered), fmt0(achieved), Long.toString(errors), "-", "-", "-",
                    fmt3(p50), fmt3(p99), "-");
        }
    }

    private H2load h2load(double rate, int seconds) throws Exception {
        int clients = (int) Math.max(1, Math.round(rate / H2LOAD_RPS_PER_CLIENT));
        int perClient = (int) Math.round(rate / clients);
        String mode = "open --h1 -c " + clients + " --rps " + perClient + " -D " + seconds;
        String base = "h2load-" + (long) rate + "-" + seconds + "s";
        Path out = runsDir.resolve(base + ".txt");
        Path logFile = runsDir.resolve(base + ".tsv");
        int code = exec(List.of("h2load", "--h1", "-c", Integer.toString(clients), "--rps",
                Integer.toString(perClient), "-D", Integer.toString(seconds), "--log-file", logFile.toString(), url()),
                out, seconds + 20);
        String text = Files.readString(out);
        if (code != 0) {
            notes.add("h2load " + mode + " exited with " + code + " (see " + root.relativize(out) + ")");
        }
        double achieved = number(text, "finished in [\\d.]+\\w+, ([\\d.]+) req/s");
        long errors = 0;
        Matcher m = Pattern.compile("requests: \\d+ total, \\d+ started, \\d+ done, \\d+ succeeded, (\\d+) failed,"
                + " (\\d+) errored, (\\d+) timeout").matcher(text);
        if (m.find()) {
            errors = Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)) + Long.parseLong(m.group(3));
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        if (Files.isRegularFile(logFile)) {
            long[] micros;
            try (Stream<String> lines = Files.lines(logFile)) {
                micros = lines.map(l -> l.split("\t")).filter(f -> f.length >= 3 && !f[1].equals("-1"))
                        .mapToLong(f -> Long.parseLong(f[2].trim())).sorted().toArray();
            }
            if (micros.length > 0) {
                p50 = micros[(int) Math.min(micros.length - 1, Math.ceil(micros.length * 0.50) - 1)] / 1000.0;
                p99 = micros[(int) Math.min(micros.length - 1, Math.ceil(micros.length * 0.99) - 1)] / 1000.0;
            }
            Files.delete(logFile);
        }
        return new H2load(mode, clients * (double) perClient, achieved, errors, p50, p99);
    }

    // ------------------------------------------------------------------------------------------ loadgen

    private record Heap(double usedMaxMb, double committedMaxMb, int samples, double hwmMb) {
    }

    private record Lg(double rate, int seconds, int exit, boolean timedOut, double offered, double achieved,
            long completed, long errors, long dropped, double latP50, double latP99, double lagP50, double lagP99,
            double lagMax, Heap heap) {
        boolean sustained() {
            return exit == 0 && !timedOut && achieved >= SUSTAIN_ACHIEVED * rate && lagP99 < SUSTAIN_LAG_P99_MS;
        }

        String why() {
            if (timedOut) {
                return "timed out";
            }
            if (exit != 0) {
                return "exit " + exit;
            }
            List<String> w = new ArrayList<>();
            if (achieved < SUSTAIN_ACHIEVED * rate) {
                w.add("achieved " + fmt0(100 * achieved / rate) + "%");
            }
            if (!(lagP99 < SUSTAIN_LAG_P99_MS)) {
                w.add("lag p99 " + fmt3(lagP99) + " ms");
            }
            return w.isEmpty() ? "yes" : String.join(", ", w);
        }

        Row row(String mode) {
            return new Row("loadgen", mode, fmt0(rate), fmt0(achieved), Long.toString(errors + dropped),
                    fmt3(lagP50), fmt3(lagP99), fmt3(lagMax), fmt3(latP50), fmt3(latP99),
                    sustained() ? "yes" : "no (" + why() + ")");
        }

        String brief() {
            return String.format(Locale.ROOT, "achieved %.0f, errors+dropped %d, send lag p50/p99/max %.3f/%.3f/%.3f"
                    + " ms, latency p50/p99 %.3f/%.3f ms -> %s", achieved, errors + dropped, lagP50, lagP99, lagMax,
                    latP50, latP99, sustained() ? "sustained" : "not sustained (" + why() + ")")
                    + (heap == null ? "" : String.format(Locale.ROOT, "; heap used max %.1f MB, VmHWM %.1f MB",
                            heap.usedMaxMb, heap.hwmMb));
        }
    }

    private Lg loadgen(double rate, int seconds, String tag, boolean sampleHeap) throws Exception {
        String name = "loadgen-" + (long) rate + "-" + tag + "-" + elapsedSeconds();
        Path out = runsDir.resolve(name);
        Path logFile = runsDir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(java, LOADGEN_XMX, "-jar", cliJar.toString(), "run",
                "--target", url(), "--rate", fmt0(rate), "--arrival", "constant", "--duration", seconds + "s",
                "--out", out.toString(), "-q"));
        cmd.addAll(loadgenArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile());
        // a benchmark must not pick up somebody's LOADGEN_* settings
        pb.environment().keySet().removeIf(k -> k.startsWith("LOADGEN_"));
        Process p = pb.start();
        live.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 45L);
        HeapSampler sampler = sampleHeap ? new HeapSampler(p.pid()) : null;
        double hwmKb = 0;
        boolean timedOut = false;
        try {
            while (!p.waitFor(250, TimeUnit.MILLISECONDS)) {
                if (sampleHeap) {
                    hwmKb = Math.max(hwmKb, procStatusKb(p.pid(), "VmHWM"));
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                    break;
                }
            }
        } finally {
            live.remove(p);
            if (sampler != null) {
                sampler.stop();
            }
        }
        int exit = timedOut ? -1 : p.exitValue();
        long errorLines;
        try (Stream<String> lines = Files.lines(logFile)) {
            errorLines = lines.filter(l -> l.contains(" ERROR ") || l.startsWith("Exception")).count();
        }
        if (errorLines > 0) {
            notes.add(String.format(Locale.ROOT, "loadgen %.0f/s (%s): %d ERROR/exception line(s) in its output, see"
                    + " %s", rate, tag, errorLines, root.relativize(logFile)));
        }
        Path summary = out.resolve("summary.json");
        if (!Files.isRegularFile(summary)) {
            notes.add(String.format(Locale.ROOT, "loadgen %.0f/s (%s) wrote no summary.json (exit %d%s), see %s",
                    rate, tag, exit, timedOut ? ", timed out" : "", root.relativize(logFile)));
            return new Lg(rate, seconds, exit, timedOut, Double.NaN, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, heapOf(sampler, hwmKb));
        }
        JsonNode s = JSON.readTree(summary.toFile());
        return new Lg(rate, seconds, exit, timedOut, s.path("offered_rate").asDouble(),
                s.path("achieved_rate").asDouble(), s.path("completed").asLong(),
                s.path("errors").path("total").asLong(), s.path("dropped").asLong(),
                s.path("latency_ms").path("p50").asDouble(), s.path("latency_ms").path("p99").asDouble(),
                s.path("send_lag_ms").path("p50").asDouble(), s.path("send_lag_ms").path("p99").asDouble(),
                s.path("send_lag_ms").path("max").asDouble(), heapOf(sampler, hwmKb));
    }

    private static Heap heapOf(HeapSampler sampler, double hwmKb) {
        return sampler == null ? null
                : new Heap(sampler.usedMaxKb.get() / 1024.0, sampler.committedMaxKb.get() / 1024.0,
                        (int) sampler.samples.get(), hwmKb / 1024.0);
    }

    /** Runs {@code jstat -gc PID 500} against a JVM until it exits; keeps the highest heap use seen. */
    private final class HeapSampler {
        final AtomicLong usedMaxKb = new AtomicLong();
        final AtomicLong committedMaxKb = new AtomicLong();
        final AtomicLong samples = new AtomicLong();
        private final long pid;
        private final Thread thread;
        private volatile boolean stopped;
        private volatile Process jstat;

        HeapSampler(long pid) {
            this.pid = pid;
            this.thread = new Thread(this::loop, "jstat-" + pid);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void loop() {
            String jstatBin = Path.of(System.getProperty("java.home"), "bin", "jstat").toString();
            if (!Files.isExecutable(Path.of(jstatBin))) {
                jstatBin = "jstat";
            }
            // the target JVM needs a moment before it can be attached to; retry until it exits
            while (!stopped && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(300);
                    Process j = new ProcessBuilder(jstatBin, "-gc", Long.toString(pid), "500")
                            .redirectErrorStream(true).start();
                    jstat = j;
                    live.add(j);
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(j.getInputStream(),
                            StandardCharsets.US_ASCII))) {
                        String[] header = null;
                        String line;
                        while ((line = r.readLine()) != null) {
                            String[] f = line.trim().split("\\s+");
                            if (f.length > 0 && f[0].equals("S0C")) {
                                header = f;
                            } else if (header != null && f.length == header.length) {
                                record(header, f);
                            }
                        }
                    } finally {
                        j.destroy();
                        live.remove(j);
                    }
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void record(String[] header, String[] f) {
            double used = 0;
            double committed = 0;
            for (int i = 0; i < header.length; i++) {
                double v;
                try {
                    v = Double.parseDouble(f[i]);
                } catch (NumberFormatException e) {
                    continue;
                }
                switch (header[i]) {
                    case "S0U", "S1U", "EU", "OU" -> used += v;
                    case "S0C", "S1C", "EC", "OC" -> committed += v;
                    default -> {
                    }
                }
            }
            long u = Math.round(used);
            long c = Math.round(committed);
            usedMaxKb.accumulateAndGet(u, Math::max);
            committedMaxKb.accumulateAndGet(c, Math::max);
            samples.incrementAndGet();
        }

        void stop() throws InterruptedException {
            stopped = true;
            Process j = jstat;
            if (j != null) {
                j.destroy();
            }
            thread.join(5000);
        }
    }

    private static double procStatusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key + ":")) {
                    return Double.parseDouble(line.substring(key.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------ the report

    private record Row(String tool, String mode, String offered, String achieved, String errors, String lagP50,
            String lagP99, String lagMax, String latP50, String latP99, String sustained) {
        String[] cells() {
            return new String[] {tool, mode, offered, achieved, errors, lagP50, lagP99, lagMax, latP50, latP99,
                sustained};
        }
    }

    private String report(Wrk wrkBest, Lg heapRun, double best, String bestHow, String loadStart, String loadEnd) {
        StringBuilder b = new StringBuilder();
        b.append("# loadgen engine benchmark").append(quick ? " (quick)" : "").append("\n\n");
        b.append(String.format(Locale.ROOT, "%s, %d cores, load average %s at start, %s at end; %s; target %s"
                + " (HttpCore5 async HelloServer, own JVM); loadgen JVM %s; %d s in all.%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                Runtime.getRuntime().availableProcessors(), loadStart, loadEnd, System.getProperty("java.vm.name")
                        + " " + System.getProperty("java.version"), url(), LOADGEN_XMX,
                TimeUnit.NANOSECONDS.toSeconds(elapsed())));
        b.append("Rates in req/s, times in ms. wrk/h2load latency is from the actual send; loadgen latency is from"
                + " the intended send time. Sustained = achieved >= 99% of offered and send lag p99 < 1 ms.\n\n");
        String[] head = {"tool", "mode", "offered", "achieved", "err+drop", "lag p50", "lag p99", "lag max",
            "lat p50", "lat p99", "sustained"};
        List<String[]> all = new ArrayList<>();
        all.add(head);
        rows.forEach(r -> all.add(r.cells()));
        int[] width = new int[head.length];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int k = 0; k < all.size(); k++) {
            String[] r = all.get(k);
            b.append('|');
            for (int i = 0; i < r.length; i++) {
                boolean left = i < 2 || i == r.length - 1;
                b.append(' ').append(left ? pad(r[i], width[i]) : lpad(r[i], width[i])).append(" |");
            }
            b.append('\n');
            if (k == 0) {
                b.append('|');
                for (int i = 0; i < r.length; i++) {
                    boolean left = i < 2 || i == r.length - 1;
                    b.append(left ? ":" : "-").append("-".repeat(width[i])).append(left ? "-" : ":").append('|');
                }
                b.append('\n');
            }
        }
        b.append('\n');
        if (heapRun != null && heapRun.heap != null) {
            Heap h = heapRun.heap;
            b.append(String.format(Locale.ROOT, "loadgen JVM at %.0f req/s (%s): heap used max %.1f MB (jstat -gc"
                    + " S0U+S1U+EU+OU, %d samples every 500 ms), heap committed max %.1f MB, RSS max (VmHWM) %.1f MB"
                    + "%n", heapRun.rate, LOADGEN_XMX, h.usedMaxMb, h.samples, h.committedMaxMb, h.hwmMb));
        }
        double pct = wrkBest.rps > 0 ? 100 * best / wrkBest.rps : 0;
        b.append(String.format(Locale.ROOT, "loadgen max sustained rate %.0f req/s = %.1f%% of wrk saturation %.0f"
                + " req/s (wrk %s; %s)%n", best, pct, wrkBest.rps, wrkBest.mode, bestHow));
        if (heapRun != null && heapRun.heap != null) {
            b.append(String.format(Locale.ROOT, "goals: open loop >= 50%% of wrk with send lag p99 < 1 ms: %s;"
                    + " heap < 256 MB at 10k req/s: %s%n", pct >= 50 ? "met" : "NOT met",
                    heapRun.heap.samples > 0 && heapRun.heap.usedMaxMb < 256 ? "met"
                            : heapRun.heap.samples == 0 ? "not measured" : "NOT met"));
        }
        if (!notes.isEmpty()) {
            b.append("\nnotes:\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------ helpers

    private int exec(List<String> cmd, Path out, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        live.add(p);
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                notes.add(String.join(" ", cmd) + " timed out after " + timeoutSeconds + " s");
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
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        live.clear();
    }

    private static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private long elapsed() {
        return System.nanoTime() - startNanos;
    }

    private long elapsedSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(elapsed());
    }

    private void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[%3ds] %s%n", elapsedSeconds(), String.format(Locale.ROOT, format, args));
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double duration(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? millis(m.group(1)) : Double.NaN;
    }

    /** wrk's durations: 812.00us, 1.23ms, 2.01s, 1.50m. */
    private static double millis(String s) {
        Matcher m = Pattern.compile("([\\d.]+)(us|ms|s|m)").matcher(s);
        if (!m.matches()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }

    private static double round100(double v) {
        return Math.max(100, Math.round(v / 100) * 100.0);
    }

    static String fmt0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String fmt3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String lpad(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }
}
