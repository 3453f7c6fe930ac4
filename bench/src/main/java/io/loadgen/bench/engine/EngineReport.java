package io.loadgen.bench.engine;

import io.loadgen.bench.report.Fmt;
import io.loadgen.bench.report.MarkdownTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine bench's report in markdown: one table per target (each tool's highest held rate and what it cost),
 * the goals with the measured ratios, loadgen's heap, notes, and every trial.
 */
public final class EngineReport {
    /** The goal ratios. */
    static final double RATE_GOAL = 0.75;
    static final double CPU_GOAL = 1.5;

    /**
     * The run's facts for the header.
     *
     * @param title "loadgen engine benchmark" or "... (quick)"
     * @param header lines under the title (machine, settings, time)
     * @param compareRate the rate at which every tool's CPU is compared
     * @param rule the held rule
     */
    public record Meta(String title, List<String> header, double compareRate, HeldRule rule) {
    }

    /**
     * One target's outcomes.
     *
     * @param name its name
     * @param description what it is
     * @param tools each tool's outcome, in the order run
     */
    public record TargetResult(String name, String description, List<ToolOutcome> tools) {
        Optional<ToolOutcome> tool(String name) {
            return tools.stream().filter(t -> t.tool().equals(name)).findFirst();
        }
    }

    private final Meta meta;
    private final List<TargetResult> targets;
    private final HeapProbe.Result heap;
    private final String heapTarget;
    private final List<String> notes;

    /**
     * @param meta the header
     * @param targets the outcomes
     * @param heap the heap probe, or null if it did not run
     * @param heapTarget the target it ran against
     * @param notes notes gathered while running
     */
    public EngineReport(Meta meta, List<TargetResult> targets, HeapProbe.Result heap, String heapTarget,
            List<String> notes) {
        this.meta = meta;
        this.targets = targets;
        this.heap = heap;
        this.heapTarget = heapTarget;
        this.notes = notes;
    }

    /** @return the report */
    public String render() {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(meta.title()).append("\n\n");
        meta.header().forEach(l -> b.append(l).append('\n'));
        b.append('\n');
        b.append("Held: ").append(meta.rule().describe()).append("; a rate not held is run once more, and is held if"
                + " the retry holds (every tool alike). CPU: user + sys of the tool's process (all its threads) from"
                + " /proc/PID/stat over the measured part of the trial, per completed request, in microseconds."
                + " Latency p99 is from the intended send time for loadgen, wrk2 and the probe, from the actual send"
                + " for h2load and wrk.\n\n");
        String cmp = Fmt.rate(meta.compareRate());
        for (TargetResult t : targets) {
            b.append("## ").append(t.name()).append(": ").append(t.description()).append("\n\n");
            MarkdownTable table = new MarkdownTable("tool", "highest held rate", "p99 there ms", "send-lag p99 ms",
                    "CPU us/req at highest held", "CPU us/req at " + cmp + "/s", "achieved at " + cmp + "/s",
                    "why the next rate failed").right(1, 2, 3, 4, 5, 6);
            for (ToolOutcome o : t.tools()) {
                table.row(summaryRow(o));
            }
            b.append(table.render()).append('\n');
        }
        b.append("## Goals\n\n");
        goals().forEach(g -> b.append("- ").append(g).append('\n'));
        if (heap != null) {
            b.append("\n## Heap\n\n").append(heapLine()).append('\n');
        }
        List<String> all = new ArrayList<>(notes);
        all.addAll(trialNotes());
        if (!all.isEmpty()) {
            b.append("\n## Notes\n\n");
            all.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        b.append("\n## All trials\n\n");
        b.append("CPU% = tool / target / other processes over the measured part, 100 = one core.\n\n");
        for (TargetResult t : targets) {
            MarkdownTable table = new MarkdownTable("target", "tool", "phase", "offered", "achieved", "p50 ms",
                    "p99 ms", "send-lag p99 ms", "errors", "CPU us/req", "CPU% tool/target/other", "held", "settings")
                    .right(3, 4, 5, 6, 7, 8, 9, 10);
            for (ToolOutcome o : t.tools()) {
                if (o.search() != null) {
                    for (HeldRateSearch.Trial tr : o.search().trials()) {
                        table.row(trialRow(tr.m(), tr.phase(), tr.held().why()));
                    }
                }
                for (Measurement m : o.closedLoop()) {
                    table.row(trialRow(m, "closed loop", m == o.bestClosedLoop() ? "saturation" : "-"));
                }
            }
            if (table.size() > 0) {
                b.append(table.render()).append('\n');
            }
        }
        return b.toString();
    }

    private String[] summaryRow(ToolOutcome o) {
        if (o.skipped() != null) {
            return new String[] {o.tool(), "skipped", "-", "-", "-", "-", "-", o.skipped()};
        }
        if (o.search() == null) {
            Measurement best = o.bestClosedLoop();
            if (best == null) {
                return new String[] {o.tool(), "no figures", "-", "-", "-", "-", "-", "see the notes"};
            }
            return new String[] {o.tool(), Fmt.rate(best.achieved()) + " (closed-loop saturation, " + best.settings()
                + ")", Fmt.f2(best.p99Ms()), "-", Fmt.f1(best.cpu().usPerRequest()), "-", "-",
                "closed loop: the most target and machine serve, not a held rate"};
        }
        HeldRateSearch.Result r = o.search();
        HeldRateSearch.Trial h = r.highestHeld();
        Optional<HeldRateSearch.Trial> c = r.at(meta.compareRate());
        String cpuCmp = c.map(t -> Fmt.f1(t.m().cpu().usPerRequest()) + (t.held().held() ? "" : " (not held)"))
                .orElse("-");
        String achCmp = c.map(t -> Fmt.rate(t.m().achieved())).orElse("-");
        String highest = h == null ? "none" + lowest(r) : Fmt.rate(h.m().offered());
        return new String[] {o.tool(), highest, h == null ? "-" : Fmt.f2(h.m().p99Ms()),
            h == null || !h.m().hasSendLag() ? "-" : Fmt.f3(h.m().sendLagP99Ms()),
            h == null ? "-" : Fmt.f1(h.m().cpu().usPerRequest()), cpuCmp, achCmp, r.stop()};
    }

    private static String lowest(HeldRateSearch.Result r) {
        return r.trials().stream().mapToDouble(t -> t.m().offered()).min().stream()
                .mapToObj(v -> " (< " + Fmt.rate(v) + ")").findFirst().orElse("");
    }

    private String[] trialRow(Measurement m, String phase, String held) {
        CpuUse c = m.cpu();
        return new String[] {m.target(), m.tool(), phase, Fmt.rate(m.offered()), Fmt.rate(m.achieved()),
            Fmt.f2(m.p50Ms()), Fmt.f2(m.p99Ms()), m.hasSendLag() ? Fmt.f3(m.sendLagP99Ms()) : "-",
            Long.toString(m.errors()), Fmt.f1(c.usPerRequest()),
            Fmt.f0(100 * c.toolCores()) + "/" + Fmt.f0(100 * c.targetCores()) + "/" + Fmt.f0(100 * c.otherCores()),
            held, m.settings()};
    }

    /** @return the goal lines, with the measured ratios */
    List<String> goals() {
        List<String> g = new ArrayList<>();
        List<String> rate = new ArrayList<>();
        List<String> cpu = new ArrayList<>();
        for (TargetResult t : targets) {
            Optional<HeldRateSearch.Result> lean = t.tool("loadgen-lean").map(ToolOutcome::search);
            Optional<HeldRateSearch.Result> wrk2 = t.tool("wrk2").map(ToolOutcome::search);
            if (lean.isEmpty() || wrk2.isEmpty()) {
                rate.add(t.name() + ": not measured (" + (lean.isEmpty() ? "loadgen-lean" : "wrk2") + " did not run)");
                cpu.add(t.name() + ": not measured");
                continue;
            }
            rate.add(t.name() + ": " + rateGoal(lean.get(), wrk2.get()));
            cpu.add(t.name() + ": " + cpuGoal(lean.get(), wrk2.get()));
        }
        g.add("loadgen lean's highest held rate >= " + RATE_GOAL + "x wrk2's on the same target: "
                + String.join("; ", rate));
        g.add("loadgen lean's CPU per request <= " + CPU_GOAL + "x wrk2's: " + String.join("; ", cpu));
        g.add("heap < " + Fmt.f0(HeapProbe.GOAL_MB) + " MB at " + Fmt.rate(meta.compareRate()) + "/s: "
                + (heap == null ? "not measured" : Fmt.f1(heap.heap().usedMaxMb()) + " MB used max (jstat, "
                        + heap.heap().samples() + " samples): " + (heap.met() ? "met" : "NOT met")));
        g.add("nothing lost (loadgen: scheduled == ok + errors + dropped + unfinished): " + lostGoal());
        return g;
    }

    private static String rateGoal(HeldRateSearch.Result lean, HeldRateSearch.Result wrk2) {
        if (lean.highestHeld() == null || wrk2.highestHeld() == null) {
            return "not comparable (" + (lean.highestHeld() == null ? "loadgen lean" : "wrk2") + " held no rate)";
        }
        double l = lean.highestHeld().m().offered();
        double w = wrk2.highestHeld().m().offered();
        double ratio = l / w;
        String bound = wrk2.firstFailed() == null ? ", wrk2 held the top of its ladder, so its figure is a lower bound"
                : "";
        return Fmt.rate(l) + " vs " + Fmt.rate(w) + " = " + Fmt.f2(ratio) + "x: "
                + (ratio >= RATE_GOAL ? "met" : "NOT met") + bound;
    }

    private String cpuGoal(HeldRateSearch.Result lean, HeldRateSearch.Result wrk2) {
        List<String> parts = new ArrayList<>();
        Optional<HeldRateSearch.Trial> lc = lean.at(meta.compareRate());
        Optional<HeldRateSearch.Trial> wc = wrk2.at(meta.compareRate());
        if (lc.isPresent() && wc.isPresent()) {
            parts.add("at " + Fmt.rate(meta.compareRate()) + "/s " + ratio(lc.get().m(), wc.get().m())
                    + (lc.get().held().held() && wc.get().held().held() ? "" : " (not held by both)"));
        } else {
            parts.add("at " + Fmt.rate(meta.compareRate()) + "/s not measured");
        }
        if (lean.highestHeld() != null && wrk2.highestHeld() != null) {
            parts.add("at the highest held rates (" + Fmt.rate(lean.highestHeld().m().offered()) + " vs "
                    + Fmt.rate(wrk2.highestHeld().m().offered()) + ") "
                    + ratio(lean.highestHeld().m(), wrk2.highestHeld().m()));
        }
        return String.join(", ", parts);
    }

    private static String ratio(Measurement lean, Measurement wrk2) {
        double r = lean.cpu().usPerRequest() / wrk2.cpu().usPerRequest();
        if (Double.isNaN(r)) {
            return "not measured";
        }
        return Fmt.f1(lean.cpu().usPerRequest()) + " vs " + Fmt.f1(wrk2.cpu().usPerRequest()) + " us = "
                + Fmt.f2(r) + "x: " + (r <= CPU_GOAL ? "met" : "NOT met");
    }

    private String lostGoal() {
        int runs = 0;
        List<String> gaps = new ArrayList<>();
        for (Measurement m : loadgenRuns()) {
            runs++;
            if (m.accounting().gap() != 0) {
                gaps.add(m.target() + " " + m.tool() + " " + Fmt.rate(m.offered()) + "/s: " + m.accounting());
            }
        }
        if (runs == 0) {
            return "not measured (no loadgen run wrote a summary)";
        }
        return gaps.isEmpty() ? "met in all " + runs + " loadgen runs" : "NOT met: " + String.join("; ", gaps);
    }

    private List<Measurement> loadgenRuns() {
        List<Measurement> all = new ArrayList<>();
        for (TargetResult t : targets) {
            for (ToolOutcome o : t.tools()) {
                o.measurements().stream().filter(m -> m.accounting() != null).forEach(all::add);
            }
        }
        if (heap != null && heap.m().accounting() != null) {
            all.add(heap.m());
        }
        return all;
    }

    private String heapLine() {
        Measurement m = heap.m();
        return Fmt.of("loadgen lean at %s/s on %s (" + String.join(" ", LoadgenRunner.JVM_OPTIONS) + ", %s trial): heap used max %s MB (jstat -gc S0U+S1U+EU+OU,"
                + " %d samples every 500 ms; it includes garbage not yet collected), heap after GC max %s MB (GC log;"
                + " jstat's rougher figure %s MB), heap committed max %s MB, RSS max (VmHWM) %s MB; GC: %d pauses, max"
                + " %s ms, total %s ms. The run itself: achieved %s/s, p99 %s ms, send-lag p99 %s ms.",
                Fmt.rate(m.offered()), heapTarget, m.settings().replaceAll(".*--duration (\\S+).*", "$1"),
                Fmt.f1(heap.heap().usedMaxMb()), heap.heap().samples(), Fmt.f0(heap.gc().afterGcMaxMb()),
                Fmt.f0(heap.heap().afterGcMaxMb()), Fmt.f1(heap.heap().committedMaxMb()), Fmt.f1(heap.hwmMb()),
                heap.gc().pauses(), Fmt.f1(heap.gc().maxMs()), Fmt.f1(heap.gc().totalMs()), Fmt.rate(m.achieved()),
                Fmt.f2(m.p99Ms()), Fmt.f3(m.sendLagP99Ms()));
    }

    /** @return notes from the trials: time-outs, busy machine, and each trial's own notes */
    private List<String> trialNotes() {
        List<String> n = new ArrayList<>();
        for (TargetResult t : targets) {
            for (ToolOutcome o : t.tools()) {
                for (Measurement m : o.measurements()) {
                    n.addAll(notesOf(m));
                }
            }
        }
        if (heap != null) {
            n.addAll(notesOf(heap.m()).stream().map(s -> "heap probe: " + s).toList());
        }
        return n;
    }

    static List<String> notesOf(Measurement m) {
        List<String> n = new ArrayList<>();
        String what = m.target() + " " + m.tool() + (Double.isNaN(m.offered()) ? " " + m.settings()
                : " " + Fmt.rate(m.offered()) + "/s");
        if (m.timedOut()) {
            n.add(what + ": timed out and was killed (see " + m.dir() + ")");
        }
        if (m.cpu().otherCores() > 0.5) {
            n.add(what + ": other processes used " + Fmt.f0(100 * m.cpu().otherCores()) + "% of a core ("
                    + m.cpu().topOthers() + ")");
        }
        for (String s : m.notes()) {
            n.add(what + ": " + s);
        }
        return n;
    }
}
