package io.loadgen.bench.server;

import io.loadgen.bench.proc.ProcScan;
import io.loadgen.bench.proc.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A snapshot of CPU times from /proc, in clock ticks: every process ({@link ProcScan}), and each thread of the server
 * ({@code /proc/PID/task/TID/stat}). Two of them, taken at the start and the end of a step's timed part, give its
 * {@link StepCpu}: the measured tool, the server and its thread groups, and every other process but this bench and
 * its children.
 *
 * @param scan every process
 * @param toolPid the measured tool (the model JVM, or {@code loadgen run})
 * @param serverPid {@code loadgen serve}, or -1 when there is none
 * @param threads the server's threads, by thread id (empty when there is no server)
 */
public record CpuSnapshot(ProcScan scan, long toolPid, long serverPid, Map<Long, ProcStat> threads) {
    private static final long SELF = ProcessHandle.current().pid();

    /**
     * @param toolPid the measured tool
     * @param serverPid the server, or -1
     * @return the snapshot now
     */
    public static CpuSnapshot take(long toolPid, long serverPid) {
        ProcScan scan = ProcScan.now();
        Map<Long, ProcStat> threads = new HashMap<>();
        if (serverPid > 0) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(serverPid), "task"))) {
                tasks.forEach(t -> ProcStat.read(t.resolve("stat")).ifPresent(s -> threads.put(s.pid(), s)));
            } catch (IOException | RuntimeException e) {
                // the server is gone
            }
        }
        return new CpuSnapshot(scan, toolPid, serverPid, threads);
    }

    /**
     * @param end a later snapshot of the same tool and server
     * @return the CPU in between
     */
    public StepCpu until(CpuSnapshot end) {
        double core = (end.scan.nanos() - scan.nanos()) / 1e9 * ProcStat.TICKS_PER_SECOND;
        Set<Long> bench = new HashSet<>(List.of(SELF, toolPid, serverPid));
        double others = Math.max(0, 100 * scan.otherTicks(end.scan, bench) / core);
        return new StepCpu(100 * (end.own(toolPid) - own(toolPid)) / core,
                100 * (end.own(serverPid) - own(serverPid)) / core, ServerThreads.summary(threads, end.threads, core),
                others, scan.topOthers(end.scan, bench, 2));
    }

    /** @return the process's own ticks (all threads), or 0 if it was not there */
    private long own(long pid) {
        ProcStat s = scan.stats().get(pid);
        return s == null ? 0 : s.ownTicks();
    }
}
