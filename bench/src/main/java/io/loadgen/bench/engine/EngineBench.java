package io.loadgen.bench.engine;

import io.loadgen.bench.ParkLoop;
import io.loadgen.bench.cli.DurationConverter;
import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Fmt;
import io.loadgen.bench.report.Outputs;
import io.loadgen.bench.report.ProgressLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The engine benchmark: against each target (nginx, and the HttpCore 5 HelloServer), one after the other, each tool
 * one after the other (loadgen with the lean transport, loadgen with HttpClient 5, wrk2, h2load, wrk, the HttpCore
 * probe), never two at once: the highest constant rate it holds ({@link HeldRateSearch}, {@link HeldRule}), the CPU
 * per request of its process, and loadgen's heap at 20k req/s ({@link HeapProbe}). It prints a markdown report
 * ({@link EngineReport}) and writes it to {@code bench/results/engine-<stamp>.md}; raw output goes to
 * {@code bench/target/engine-runs/<stamp>/}. All traffic goes to 127.0.0.1; every process has a time-out and is
 * killed at the end. See bench/README.md.
 */
@Command(name = "bench/engine", mixinStandardHelpOptions = true, sortOptions = false,
        description = "loadgen's engine next to wrk2, h2load and wrk, on nginx and on an HttpCore 5 server: the"
                + " highest constant rate each tool holds, and its CPU per request.")
public final class EngineBench implements Callable<Integer> {
    static final List<String> TARGETS = List.of("nginx", "hello");
    static final List<String> TOOLS = List.of("loadgen-lean", "loadgen-httpclient", "wrk2", "h2load", "wrk",
            "httpcore-probe");
    static final List<Double> LADDER = List.of(5000.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0, 60_000.0,
            80_000.0);
    static final List<Double> QUICK_LADDER = List.of(10_000.0, 20_000.0);

    @Option(names = "--quick", description = "smoke run: ladder 10000,20000, 4 s trials, no bisection (~4 min)")
    boolean quick;

    @Option(names = "--targets", split = ",", paramLabel = "NAME",
            description = "targets, in order (default: nginx,hello)")
    List<String> targets = TARGETS;

    @Option(names = "--tools", split = ",", paramLabel = "NAME",
            description = "tools, in order (default: " + "loadgen-lean,loadgen-httpclient,wrk2,h2load,wrk,"
                    + "httpcore-probe)")
    List<String> tools = TOOLS;

    @Option(names = "--trial", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "measured length of a trial (default 10s; --quick 4s)")
    Duration trial;

    @Option(names = "--budget", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "time budget of the whole run; searches stop when their share is spent (default 24m;"
                    + " --quick 6m)")
    Duration budget;

    @Option(names = "--rates", split = ",", paramLabel = "RATE",
            description = "the ladder, req/s (default 5000,10000,20000,30000,40000,50000,60000,80000;"
                    + " --quick 10000,20000)")
    List<Double> rates;

    @Option(names = "--compare-rate", paramLabel = "RATE", defaultValue = "20000",
            description = "every tool also runs at this rate (CPU compared at the same rate), and loadgen's heap is"
                    + " measured at it (default ${DEFAULT-VALUE})")
    double compareRate;

    @Option(names = "--loadgen-jar", paramLabel = "PATH",
            description = "loadgen-cli.jar, with its lib/ beside it (default loadgen-cli/target/loadgen-cli.jar)")
    Path loadgenJar;

    @Option(names = "--loadgen-arg", paramLabel = "ARG",
            description = "added to every loadgen run; repeatable, e.g. --loadgen-arg=--connections=64")
    List<String> loadgenArgs = new ArrayList<>();

    @Option(names = "--wrk2", paramLabel = "PATH",
            description = "wrk2's binary; without it wrk2 is skipped, and the report says so (bench/engine passes the"
                    + " machine's build of it when there is one)")
    Path wrk2;

    @Option(names = "--out", paramLabel = "DIR", description = "where the report goes (default bench/results)")
    Path out;

    private final Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
    private final List<String> notes = new ArrayList<>();
    private ProgressLog log;
    private Outputs outputs;

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        int code;
        try {
            code = new CommandLine(new EngineBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        } finally {
            Proc.killAll();
        }
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown target " + t + "; known: "
                        + String.join(",", TARGETS));
            }
        }
        for (String t : tools) {
            if (!TOOLS.contains(t)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown tool " + t + "; known: "
                        + String.join(",", TOOLS));
            }
        }
        Duration trialLength = trial != null ? trial : Duration.ofSeconds(quick ? 4 : 10);
        Duration budgetTotal = budget != null ? budget : Duration.ofMinutes(quick ? 6 : 24);
        List<Double> ladder = rates != null ? rates.stream().sorted().distinct().toList()
                : quick ? QUICK_LADDER : LADDER;
        Path jar = loadgenJar != null ? loadgenJar.toAbsolutePath() : root.resolve("loadgen-cli/target/loadgen-cli.jar");
        Path wrk2Bin = wrk2 != null ? wrk2.toAbsolutePath() : null;

        outputs = Outputs.create(root, "engine", out == null ? null : out.toAbsolutePath());
        log = new ProgressLog();
        Budget b = new Budget(budgetTotal, System::nanoTime);
        String loadStart = Machine.loadAvg();
        log.log("engine bench (%s): %d cores, load average %s; targets %s; tools %s; trials of %s; budget %s;"
                + " raw output in %s", quick ? "quick" : "full", Machine.cores(), loadStart, targets, tools,
                Fmt.duration(trialLength), Fmt.duration(budgetTotal), outputs.rel(outputs.runsDir()));

        LoadgenRunner lean = new LoadgenRunner("lean", jar, loadgenArgs);
        Map<String, Tool> open = new LinkedHashMap<>();
        open.put("loadgen-lean", lean);
        open.put("loadgen-httpclient", new LoadgenRunner("httpclient", jar, loadgenArgs));
        open.put("wrk2", new Wrk2Runner(wrk2Bin));
        open.put("h2load", new H2loadRunner(H2loadRunner.find()));
        open.put("httpcore-probe", new HttpCoreProbeRunner());
        WrkRunner wrk = new WrkRunner(WrkRunner.find());

        Map<String, String> unavailable = new LinkedHashMap<>();
        for (String t : tools) {
            (t.equals("wrk") ? wrk.unavailable() : open.get(t).unavailable()).ifPresent(why -> {
                unavailable.put(t, why);
                notes.add("skipped " + t + ": " + why);
                log.log("skipping %s: %s", t, why);
            });
        }
        String floor = timerFloor(Math.min(compareRate, 20_000), outputs.runsDir());

        HeldRateSearch search = new HeldRateSearch(HeldRule.DEFAULT, ladder, !quick, 0.10, compareRate);
        List<EngineReport.TargetResult> results = new ArrayList<>();
        HeapProbe.Result heap = null;
        String heapTarget = null;
        int searchesLeft = (int) (targets.size() * tools.stream()
                .filter(t -> !t.equals("wrk") && !unavailable.containsKey(t)).count());
        for (int ti = 0; ti < targets.size(); ti++) {
            String name = targets.get(ti);
            Path dir = outputs.runsDir().resolve(name);
            Target target;
            try {
                target = startTarget(name, dir);
            } catch (IOException e) {
                notes.add("target " + name + " did not start: " + e.getMessage());
                log.log("target %s did not start: %s", name, e.getMessage());
                searchesLeft -= tools.stream().filter(t -> !t.equals("wrk") && !unavailable.containsKey(t)).count();
                continue;
            }
            List<ToolOutcome> outcomes = new ArrayList<>();
            try {
                log.log("target %s: %s", name, target.description());
                if (wrk.unavailable().isEmpty()) {
                    wrk.warmUp(target, Duration.ofSeconds(quick ? 2 : 5), dir);
                }
                String previous = null;
                int restarts = 0;
                for (String toolName : tools) {
                    if (unavailable.containsKey(toolName)) {
                        outcomes.add(ToolOutcome.skipped(toolName, name, unavailable.get(toolName)));
                        continue;
                    }
                    if (previous != null && !answers(target)) {
                        // one tool's overload must not be charged to the next tool: a fresh target for each
                        String why = "target " + name + " stopped answering after " + previous;
                        target.close();
                        try {
                            target = startTarget(name, dir.resolve("restart-" + ++restarts));
                            notes.add(why + "; restarted before " + toolName);
                            log.log("%s; restarted: %s", why, target.description());
                        } catch (IOException e) {
                            notes.add(why + " and did not restart: " + e.getMessage());
                            outcomes.add(ToolOutcome.skipped(toolName, name, "the target had died"));
                            continue;
                        }
                    }
                    if (!target.isAlive()) {
                        notes.add("target " + name + " died before " + toolName + "; see " + outputs.rel(dir));
                        outcomes.add(ToolOutcome.skipped(toolName, name, "the target had died"));
                        continue;
                    }
                    previous = toolName;
                    if (toolName.equals("wrk")) {
                        outcomes.add(closedLoop(wrk, target, trialLength, dir));
                        continue;
                    }
                    Tool tool = open.get(toolName);
                    Duration reserve = reserve(ti, toolName, trialLength, heap == null);
                    Budget.Deadline slice = b.slice(searchesLeft, reserve);
                    searchesLeft--;
                    outcomes.add(search(search, tool, target, trialLength, dir, slice, b.deadline()));
                    if (toolName.equals("loadgen-lean") && heap == null) {
                        log.log("heap probe: loadgen lean at %s/s with jstat", Fmt.rate(compareRate));
                        heap = new HeapProbe(lean).run(target, compareRate, trialLength, dir.resolve("heap-probe"));
                        heapTarget = name;
                        log.log("heap probe: used max %s MB, after GC max %s MB, VmHWM %s MB",
                                Fmt.f1(heap.heap().usedMaxMb()), Fmt.f0(heap.gc().afterGcMaxMb()),
                                Fmt.f1(heap.hwmMb()));
                    }
                }
            } finally {
                target.close();
            }
            results.add(new EngineReport.TargetResult(name, target.description(), outcomes));
        }

        List<String> header = new ArrayList<>();
        header.add(Fmt.of("%s, %d cores, load average %s at start, %s at end; %s; %s in all (budget %s).",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")), Machine.cores(),
                loadStart, Machine.loadAvg(), Machine.jvm(), Fmt.duration(b.elapsed()), Fmt.duration(budgetTotal)));
        header.add(Fmt.of("Trials of %s measured; ladder %s req/s%s; every tool also at %s/s. loadgen: %s (%s). wrk2:"
                + " %s.", Fmt.duration(trialLength), ladder.stream().map(Fmt::rate).toList(),
                quick ? ", no bisection (quick)" : ", then bisection to 10%", Fmt.rate(compareRate), outputs.rel(jar),
                String.join(" ", LoadgenRunner.JVM_OPTIONS) + ", --arrival constant" + (loadgenArgs.isEmpty() ? "" : " " + String.join(" ", loadgenArgs)),
                unavailable.containsKey("wrk2") ? "skipped (" + unavailable.get("wrk2") + ")" : outputs.rel(wrk2Bin)));
        if (floor != null) {
            header.add(floor);
        }
        header.add("Raw output: " + outputs.rel(outputs.runsDir()) + ".");
        EngineReport report = new EngineReport(new EngineReport.Meta("loadgen engine benchmark"
                + (quick ? " (quick)" : ""), header, compareRate, HeldRule.DEFAULT), results, heap, heapTarget, notes);
        String md = report.render();
        outputs.publishReport(md);
        return 0;
    }

    private Target startTarget(String name, Path dir) throws IOException, InterruptedException {
        if (name.equals("nginx")) {
            Path nginx = Machine.which("nginx");
            if (nginx == null) {
                throw new IOException("nginx is not installed (Debian nginx-light; bench/engine installs it)");
            }
            return NginxTarget.start(nginx, dir.resolve("nginx"), Duration.ofSeconds(10));
        }
        return HelloTarget.start(dir.resolve("hello-server"), Duration.ofSeconds(30));
    }

    /** @return whether the target answers one GET with a 2xx within 3 s */
    private static boolean answers(Target target) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(target.url()).toURL()
                    .openConnection();
            c.setConnectTimeout(3000);
            c.setReadTimeout(3000);
            try {
                int code = c.getResponseCode();
                c.getInputStream().readAllBytes();
                return code / 100 == 2;
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Time the fixed steps after this search still need: wrk's runs, the heap probe, the next targets' start. */
    private Duration reserve(int targetIndex, String tool, Duration trialLength, boolean heapToCome) {
        int wrkRunsLeft = 0;
        if (tools.contains("wrk")) {
            int wrkIndex = tools.indexOf("wrk");
            int here = tools.indexOf(tool);
            wrkRunsLeft = (wrkIndex > here ? 1 : 0) + (targets.size() - targetIndex - 1);
        }
        Duration wrkRuns = trialLength.plusSeconds(1).multipliedBy(WrkRunner.SETTINGS.length).multipliedBy(wrkRunsLeft);
        Duration heap = heapToCome && tools.contains("loadgen-lean") ? trialLength.plusSeconds(8) : Duration.ZERO;
        Duration starts = Duration.ofSeconds(quick ? 6 : 10).multipliedBy(targets.size() - targetIndex - 1);
        return wrkRuns.plus(heap).plus(starts);
    }

    private ToolOutcome search(HeldRateSearch search, Tool tool, Target target, Duration trialLength, Path dir,
            Budget.Deadline slice, Budget.Deadline overall) throws IOException, InterruptedException {
        log.log("%s on %s: searching (share of the budget %s)", tool.name(), target.name(),
                Fmt.duration(slice.left()));
        int[] n = {0};
        HeldRateSearch.Result r = search.search(rate -> {
            Path trialDir = dir.resolve(String.format("%02d-%s-%d", ++n[0], tool.name(), Math.round(rate)));
            Measurement m = tool.run(target, rate, trialLength, trialDir);
            logTrial(m, HeldRule.DEFAULT.judge(m));
            return m;
        }, trialLength.plus(tool.overhead(trialLength)), slice, overall);
        log.log("%s on %s: highest held %s; %s", tool.name(), target.name(),
                r.highestHeld() == null ? "none" : Fmt.rate(r.highestHeld().m().offered()) + "/s", r.stop());
        if (r.stop().startsWith("time budget")) {
            notes.add(target.name() + " " + tool.name() + ": " + r.stop() + " (--budget " + Fmt.duration(
                    budget != null ? budget : Duration.ofMinutes(quick ? 6 : 24)) + ")");
        }
        return new ToolOutcome(tool.name(), target.name(), r, List.of(), null);
    }

    private ToolOutcome closedLoop(WrkRunner wrk, Target target, Duration trialLength, Path dir)
            throws IOException, InterruptedException {
        List<Measurement> runs = new ArrayList<>();
        for (int[] s : WrkRunner.SETTINGS) {
            Measurement m = wrk.run(target, s[0], s[1], trialLength, dir.resolve("wrk-t" + s[0] + "-c" + s[1]));
            log.log("wrk %s on %s: %s req/s, p99 %s ms, %s us CPU/req, errors %d", m.settings(), target.name(),
                    Fmt.f0(m.achieved()), Fmt.f2(m.p99Ms()), Fmt.f1(m.cpu().usPerRequest()), m.errors());
            runs.add(m);
        }
        return new ToolOutcome(wrk.name(), target.name(), null, runs, null);
    }

    private void logTrial(Measurement m, Held held) {
        CpuUse c = m.cpu();
        log.log("%s on %s at %s/s: achieved %s, p99 %s ms%s, errors %d, CPU %s us/req (tool/target/others %s/%s/%s%%)"
                + " -> %s", m.tool(), m.target(), Fmt.rate(m.offered()), Fmt.f0(m.achieved()), Fmt.f2(m.p99Ms()),
                m.hasSendLag() ? ", send-lag p99 " + Fmt.f3(m.sendLagP99Ms()) + " ms" : "", m.errors(),
                Fmt.f1(c.usPerRequest()), Fmt.f0(100 * c.toolCores()), Fmt.f0(100 * c.targetCores()),
                Fmt.f0(100 * c.otherCores()), held.why());
        EngineReport.notesOf(m).forEach(n -> log.log("  note: %s", n));
    }

    /** The machine's wake-up floor: {@link ParkLoop} for 3 s at a rate, or null if it failed. */
    private String timerFloor(double rate, Path dir) throws IOException, InterruptedException {
        Path outFile = dir.resolve("parkloop.txt");
        Proc.run(List.of(Machine.java(), "-cp", System.getProperty("java.class.path"), ParkLoop.class.getName(),
                Fmt.f0(rate), "3"), outFile, Duration.ofSeconds(30));
        Matcher m = Pattern.compile("LAG ([\\d.]+) ([\\d.]+) ([\\d.]+)").matcher(Files.readString(outFile));
        if (!m.find()) {
            notes.add("the park loop failed; see " + outputs.rel(outFile));
            return null;
        }
        log.log("timer floor (park loop, %s/s, no I/O): lag p50/p99/max %s/%s/%s ms", Fmt.rate(rate), m.group(1),
                m.group(2), m.group(3));
        return Fmt.of("Timer floor (a bare JVM loop waiting for %s/s deadlines as loadgen's scheduler does, no I/O,"
                + " 3 s): lag p50/p99/max %s/%s/%s ms.", Fmt.rate(rate), m.group(1), m.group(2), m.group(3));
    }
}
