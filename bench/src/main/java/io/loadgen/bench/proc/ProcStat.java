package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One line of {@code /proc/PID/stat} (or {@code /proc/PID/task/TID/stat}): the fields the benches use. CPU times are
 * in clock ticks ({@link #TICKS_PER_SECOND}); {@code utime + stime} of a process covers all its threads.
 *
 * <p>The command name is in parentheses and may itself hold spaces and parentheses ({@code (a) b (c)}), so the
 * fields are counted from the <em>last</em> closing parenthesis.
 *
 * @param pid the process (or thread) id
 * @param name the command name (comm), without the parentheses
 * @param state one letter: R, S, D, Z, ...
 * @param ppid the parent's pid
 * @param utime user CPU, ticks
 * @param stime system CPU, ticks
 * @param cutime user CPU of reaped children, ticks
 * @param cstime system CPU of reaped children, ticks
 * @param threads number of threads
 */
public record ProcStat(long pid, String name, char state, long ppid, long utime, long stime, long cutime,
        long cstime, long threads) {

    /** Linux's USER_HZ, the unit of the CPU times in {@code /proc}: 100 on every common architecture. */
    public static final double TICKS_PER_SECOND = 100;

    /** @return utime + stime: the CPU of the process itself (all its threads), ticks */
    public long ownTicks() {
        return utime + stime;
    }

    /** @return cutime + cstime: the CPU of its children that ended and were waited for, ticks */
    public long reapedTicks() {
        return cutime + cstime;
    }

    /**
     * @param line the content of a stat file
     * @return its fields
     * @throws IllegalArgumentException if it is not a stat line
     */
    public static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line: " + line);
        }
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (f.length < 18) {
            throw new IllegalArgumentException("too few fields in /proc stat line: " + line);
        }
        // f[0] = state (field 3 of proc(5)), f[1] = ppid (4), f[11] = utime (14), f[12] = stime (15),
        // f[13] = cutime (16), f[14] = cstime (17), f[17] = num_threads (20)
        return new ProcStat(Long.parseLong(line.substring(0, open).trim()), line.substring(open + 1, close),
                f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                Long.parseLong(f[13]), Long.parseLong(f[14]), Long.parseLong(f[17]));
    }

    /**
     * @param pid a process id
     * @return its stat, or empty if it is gone (or unreadable)
     */
    public static Optional<ProcStat> read(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * @param file a stat file under /proc
     * @return its stat, or empty if it is gone (or unreadable)
     */
    public static Optional<ProcStat> read(Path file) {
        try {
            return Optional.of(parse(Files.readString(file)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
