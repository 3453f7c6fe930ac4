package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.proc.ProcCpu;
import io.loadgen.bench.proc.ProcScan;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A tool's process during one trial: started with its output to a log, its CPU, the target's, the bench's own and
 * the machine's sampled every 250 ms ({@link ProcCpu}), every process's CPU snapshotted at its start and end (to name
 * the other processes that took CPU), waited for with a time-out, and killed (with its tree) if it overruns.
 *
 * @param proc the process (ended)
 * @param started wall-clock time just before it started
 * @param ended wall-clock time when it had ended
 * @param exit its exit code, or -1 if it timed out
 * @param timedOut whether it was killed at the time-out
 * @param cpu the samples
 * @param scanStart every process's CPU at the start
 * @param scanEnd every process's CPU at the end
 * @param excluded the pids that are not "others": the bench, the tool, the target
 */
record MeasuredRun(Proc proc, Instant started, Instant ended, int exit, boolean timedOut, ProcCpu cpu,
        ProcScan scanStart, ProcScan scanEnd, Set<Long> excluded) {

    private static final long SELF = ProcessHandle.current().pid();

    /**
     * @param command the tool's command
     * @param log its output
     * @param timeout how long it may run
     * @param target the target, whose processes are sampled too
     * @param poll called every 250 ms while it runs (may be null)
     * @return the run, ended
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted
     */
    static MeasuredRun run(List<String> command, Path log, Duration timeout, Target target, Consumer<Proc> poll)
            throws IOException, InterruptedException {
        ProcScan scan0 = ProcScan.now();
        Proc p = Proc.start(command, log);
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        groups.put("tool", List.of(p.pid()));
        groups.put("target", target.pids());
        groups.put("bench", List.of(SELF));
        ProcCpu cpu = ProcCpu.start(groups, ProcCpu.PERIOD);
        boolean timedOut = false;
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!p.waitFor(Duration.ofMillis(250))) {
                if (poll != null) {
                    poll.accept(p);
                }
                if (System.nanoTime() > deadline) {
                    timedOut = true;
                    p.stop(Duration.ofSeconds(5));
                    break;
                }
            }
        } finally {
            cpu.stop();
            p.close();
        }
        Instant ended = Instant.now();
        OptionalInt code = p.exitCode();
        Set<Long> excluded = new HashSet<>(target.pids());
        excluded.add(SELF);
        excluded.add(p.pid());
        return new MeasuredRun(p, p.started(), ended, timedOut || code.isEmpty() ? -1 : code.getAsInt(), timedOut,
                cpu, scan0, ProcScan.now(), excluded);
    }

    /**
     * @param from start of the measured part
     * @param to end of the measured part
     * @param achieved the tool's completed requests per second over it
     * @return the CPU of the tool, the target and the others over the window, and the tool's CPU per request
     */
    CpuUse use(Instant from, Instant to, double achieved) {
        double wall = Duration.between(from, to).toNanos() / 1e9;
        if (!(wall > 0)) {
            return CpuUse.NONE;
        }
        double tool = cpu.cores("tool", from, to);
        double target = cpu.cores("target", from, to);
        double bench = cpu.cores("bench", from, to);
        double machine = cpu.cores(ProcCpu.MACHINE, from, to);
        double others = Math.max(0, machine - tool - target - bench);
        double us = achieved > 0 ? tool / achieved * 1e6 : Double.NaN;
        String top = others > 0.5 ? scanStart.topOthers(scanEnd, excluded, 3) : "";
        return new CpuUse(wall, tool, target, others, us, top);
    }
}
