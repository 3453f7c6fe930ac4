package io.loadgen.bench.engine;

import io.loadgen.bench.proc.GcLog;
import io.loadgen.bench.proc.Jstat;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.proc.ProcStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * loadgen's memory at a rate (20k/s): one {@code loadgen run} with the lean transport, the launcher's JVM options and
 * {@code -Xlog:gc} to a file, sampled while it runs by {@code jstat -gc PID 500} (heap used and committed) and
 * {@code /proc/PID/status} (VmHWM, the peak resident set). It is a run of its own, apart from the rate search,
 * because jstat is a JVM that takes CPU of its own.
 */
public final class HeapProbe {
    /** The goal: heap used below this at the rate. */
    public static final double GOAL_MB = 256;

    /**
     * What the probe saw.
     *
     * @param m the run's figures
     * @param heap jstat's highest figures
     * @param gc the GC log's figures
     * @param hwmMb the peak resident set, MB
     */
    public record Result(Measurement m, Jstat.Heap heap, GcLog gc, double hwmMb) {
        /** @return whether heap used stayed under the goal (false if not measured) */
        public boolean met() {
            return heap.samples() > 0 && heap.usedMaxMb() < GOAL_MB;
        }
    }

    private final LoadgenRunner lean;

    /** @param lean the lean transport's runner */
    public HeapProbe(LoadgenRunner lean) {
        this.lean = lean;
    }

    /**
     * @param target the target
     * @param rate req/s
     * @param duration the schedule's length
     * @param dir the probe's directory
     * @return what it saw
     * @throws IOException if loadgen cannot be started
     * @throws InterruptedException if interrupted
     */
    public Result run(Target target, double rate, Duration duration, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path gcLog = dir.resolve("gc.log");
        Jstat[] jstat = new Jstat[1];
        long[] hwmKb = new long[1];
        Measurement m = lean.run(target, rate, duration, dir, List.of("-Xlog:gc:file=" + gcLog), (Proc p) -> {
            if (jstat[0] == null) {
                jstat[0] = Jstat.start(p.pid(), dir.resolve("jstat.txt"));
            }
            hwmKb[0] = Math.max(hwmKb[0], ProcStatus.kb(p.pid(), "VmHWM"));
        });
        Jstat.Heap heap = jstat[0] == null ? new Jstat.Heap(0, 0, 0, 0) : jstat[0].stop();
        return new Result(m, heap, GcLog.read(gcLog), hwmKb[0] / 1024.0);
    }
}
