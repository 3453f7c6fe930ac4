package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A snapshot of every process's CPU time ({@code /proc/*}{@code /stat}), to name the processes that took CPU
 * between two snapshots: own time plus the time of children reaped in between, so that short-lived processes
 * (a compiler started by a build) are charged to their parent. Kernel threads (pid 2 and its children) are left
 * out.
 *
 * @param nanos {@link System#nanoTime()} of the snapshot
 * @param stats each process's stat, by pid
 */
public record ProcScan(long nanos, Map<Long, ProcStat> stats) {

    /** @return a snapshot of every process now */
    public static ProcScan now() {
        Map<Long, ProcStat> m = new HashMap<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(d -> ProcStat.read(d.resolve("stat")).ifPresent(s -> m.put(s.pid(), s)));
        } catch (IOException | RuntimeException e) {
            // partial figures
        }
        return new ProcScan(System.nanoTime(), m);
    }

    /**
     * @param end a later snapshot
     * @param exclude pids left out (the bench, its tool, its target), with their children
     * @return CPU ticks of each other process between the snapshots (own + reaped children), by "name[pid]"
     */
    public Map<String, Long> others(ProcScan end, Set<Long> exclude) {
        Map<String, Long> out = new HashMap<>();
        for (ProcStat e : end.stats.values()) {
            if (exclude.contains(e.pid()) || exclude.contains(e.ppid()) || e.pid() == 2 || e.ppid() == 2) {
                continue;
            }
            ProcStat was = stats.get(e.pid());
            long before = was == null ? 0 : was.ownTicks() + was.reapedTicks();
            long d = e.ownTicks() + e.reapedTicks() - before;
            if (d > 0) {
                out.put(e.name() + "[" + e.pid() + "]", d);
            }
        }
        return out;
    }

    /**
     * The CPU that all other processes used between the snapshots, in total. Each process of the later snapshot
     * counts its own plus reaped-children time less its value at the start (a process that started in between
     * counts whole). A process that ended in between is taken off at its value at the start: its parent's reaped
     * time at the end holds its whole life, of which only the part after the start belongs to the window.
     *
     * @param end a later snapshot
     * @param exclude pids left out (the bench, its tool, its target), with their children
     * @return CPU ticks ({@link ProcStat#TICKS_PER_SECOND}); may be negative only if pids were reused
     */
    public long otherTicks(ProcScan end, Set<Long> exclude) {
        Map<Long, Long> before = totals(this, exclude);
        Map<Long, Long> after = totals(end, exclude);
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        for (Map.Entry<Long, Long> e : before.entrySet()) {
            if (!after.containsKey(e.getKey())) {
                sum -= e.getValue();
            }
        }
        return sum;
    }

    /** @return own + reaped ticks of every process that is not excluded, by pid */
    private static Map<Long, Long> totals(ProcScan scan, Set<Long> exclude) {
        Map<Long, Long> m = new HashMap<>();
        for (ProcStat s : scan.stats.values()) {
            if (!exclude.contains(s.pid()) && !exclude.contains(s.ppid()) && s.pid() != 2 && s.ppid() != 2) {
                m.put(s.pid(), s.ownTicks() + s.reapedTicks());
            }
        }
        return m;
    }

    /**
     * @param end a later snapshot
     * @param exclude pids left out, with their children
     * @param n how many to name
     * @return the n other processes that used the most CPU, e.g. "java[123] 80%, mvn[45] 20%" (100% = one core)
     */
    public String topOthers(ProcScan end, Set<Long> exclude, int n) {
        double core = (end.nanos - nanos) / 1e9 * ProcStat.TICKS_PER_SECOND;
        if (core <= 0) {
            return "none";
        }
        String s = others(end, exclude).entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(n)
                .map(e -> String.format(Locale.ROOT, "%s %.0f%%", e.getKey(), 100 * e.getValue() / core))
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "none" : s;
    }
}
