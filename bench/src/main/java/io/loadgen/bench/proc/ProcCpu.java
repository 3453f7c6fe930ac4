package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples the CPU time of groups of processes (utime + stime from {@code /proc/PID/stat}: all threads of each
 * process) and of the whole machine ({@code /proc/stat}), every period, with a wall-clock timestamp, on a daemon
 * thread. The CPU over any sub-window of the sampled span can then be read with {@link #seconds}: values between
 * two samples are interpolated linearly, so a window need not start on a sample.
 *
 * <p>The group {@link #MACHINE} is the busy time of all CPUs (user, nice, system, irq, softirq, steal). What the
 * machine used beyond the named groups is what "other processes" (and the kernel) took. The two sources are
 * counted differently by the kernel (per-process times are scaled to the exact run time, {@code /proc/stat} is
 * sampled at each tick), so the difference is good to a few per cent of a core, not better.
 *
 * <p>A process that ends keeps its last value: its CPU stops growing.
 */
public final class ProcCpu implements AutoCloseable {
    /** The name of the machine-wide group. */
    public static final String MACHINE = "machine";
    /** The default sampling period. */
    public static final Duration PERIOD = Duration.ofMillis(250);

    /**
     * One sample.
     *
     * @param at wall-clock time of the sample
     * @param ticks CPU ticks so far, by group (in the order of the groups)
     */
    public record Sample(Instant at, long[] ticks) {
    }

    private final List<String> names;
    private final List<List<Long>> pids;
    private final Map<Long, Long> lastOwn = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final Duration period;
    private final Thread thread;
    private volatile boolean stopped;

    private ProcCpu(Map<String, List<Long>> groups, Duration period) {
        this.names = new ArrayList<>(groups.keySet());
        this.names.add(MACHINE);
        this.pids = new ArrayList<>(groups.values());
        this.period = period;
        this.thread = new Thread(this::loop, "proc-cpu");
        this.thread.setDaemon(true);
    }

    /**
     * Starts sampling, with a first sample taken at once.
     *
     * @param groups named groups of pids, e.g. {"tool": [123], "target": [45, 46]}
     * @param period time between samples
     * @return the running sampler
     */
    public static ProcCpu start(Map<String, List<Long>> groups, Duration period) {
        ProcCpu c = new ProcCpu(new LinkedHashMap<>(groups), period);
        c.sample();
        c.thread.start();
        return c;
    }

    private void loop() {
        long next = System.nanoTime() + period.toNanos();
        while (!stopped) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    break;
                }
            }
            next += period.toNanos();
            sample();
        }
    }

    private void sample() {
        long[] t = new long[names.size()];
        for (int g = 0; g < pids.size(); g++) {
            for (long pid : pids.get(g)) {
                long own = ProcStat.read(pid).map(ProcStat::ownTicks).orElse(-1L);
                if (own >= 0) {
                    lastOwn.put(pid, own);
                }
                t[g] += lastOwn.getOrDefault(pid, 0L);
            }
        }
        t[names.size() - 1] = machineBusyTicks();
        Sample s = new Sample(Instant.now(), t);
        synchronized (samples) {
            samples.add(s);
        }
    }

    /** Stops sampling, after one last sample. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    @Override
    public void close() {
        stop();
    }

    /** @return the samples so far */
    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** @return the time of the first sample */
    public Instant first() {
        synchronized (samples) {
            return samples.get(0).at();
        }
    }

    /** @return the time of the last sample */
    public Instant last() {
        synchronized (samples) {
            return samples.get(samples.size() - 1).at();
        }
    }

    /**
     * @param group a group's name, or {@link #MACHINE}
     * @param from start of the window
     * @param to end of the window
     * @return the CPU seconds the group used in the window, or NaN if the window is not inside the sampled span
     */
    public double seconds(String group, Instant from, Instant to) {
        int g = names.indexOf(group);
        if (g < 0) {
            throw new IllegalArgumentException("no group " + group + " in " + names);
        }
        List<Sample> s = samples();
        double a = ticksAt(s, g, from);
        double b = ticksAt(s, g, to);
        return (b - a) / ProcStat.TICKS_PER_SECOND;
    }

    /**
     * @param group a group's name, or {@link #MACHINE}
     * @param from start of the window
     * @param to end of the window
     * @return the group's CPU over the window in cores (1 = one core busy all the time), or NaN
     */
    public double cores(String group, Instant from, Instant to) {
        double wall = Duration.between(from, to).toNanos() / 1e9;
        return wall > 0 ? seconds(group, from, to) / wall : Double.NaN;
    }

    /** The value of group g at time t, interpolated; NaN outside the samples (beyond one period's slack). */
    static double ticksAt(List<Sample> s, int g, Instant t) {
        if (s.isEmpty()) {
            return Double.NaN;
        }
        Sample first = s.get(0);
        Sample last = s.get(s.size() - 1);
        Duration slack = Duration.ofMillis(300);
        if (t.isBefore(first.at())) {
            return t.plus(slack).isBefore(first.at()) ? Double.NaN : first.ticks()[g];
        }
        if (t.isAfter(last.at())) {
            return t.minus(slack).isAfter(last.at()) ? Double.NaN : last.ticks()[g];
        }
        for (int i = 1; i < s.size(); i++) {
            Sample b = s.get(i);
            if (!b.at().isBefore(t)) {
                Sample a = s.get(i - 1);
                double span = Duration.between(a.at(), b.at()).toNanos();
                double f = span <= 0 ? 1 : Duration.between(a.at(), t).toNanos() / span;
                return a.ticks()[g] + f * (b.ticks()[g] - a.ticks()[g]);
            }
        }
        return last.ticks()[g];
    }

    /** @return the busy ticks of all CPUs so far, from /proc/stat, or 0 if it cannot be read */
    static long machineBusyTicks() {
        try {
            return busyTicks(Files.readString(Path.of("/proc/stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * @param procStat the content of /proc/stat
     * @return user + nice + system + irq + softirq + steal of the "cpu" line (all CPUs), ticks. guest time is part
     *     of user already; idle and iowait are not busy.
     */
    public static long busyTicks(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] f = line.trim().split("\\s+");
                long busy = 0;
                int[] fields = {1, 2, 3, 6, 7, 8}; // user nice system [idle iowait] irq softirq steal
                for (int i : fields) {
                    if (i < f.length) {
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            }
        }
        throw new IllegalArgumentException("no cpu line in /proc/stat");
    }
}
