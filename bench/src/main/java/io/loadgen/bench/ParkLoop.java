package io.loadgen.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor under loadgen's send lag on this machine: a bare loop that waits for evenly spaced deadlines the way
 * loadgen's scheduler does (spin when under 20 us away, else {@code parkNanos} to 10 us before) and records how late it
 * wakes, with no I/O at all. Prints {@code LAG <p50_ms> <p99_ms> <max_ms> <count>}.
 *
 * <pre>
 * java -cp ... io.loadgen.bench.ParkLoop RATE SECONDS
 * </pre>
 */
public final class ParkLoop {
    private static final long SPIN_NANOS = 20_000;

    private ParkLoop() {
    }

    public static void main(String[] args) {
        double rate = Double.parseDouble(args[0]);
        double seconds = Double.parseDouble(args[1]);
        long gap = Math.max(1, Math.round(1e9 / rate));
        int n = (int) Math.max(1, Math.round(rate * seconds));
        long[] lag = new long[n];
        Thread.currentThread().setPriority(Thread.MAX_PRIORITY);
        long start = System.nanoTime() + 50_000_000L;
        for (int i = 0; i < n; i++) {
            long due = start + i * gap;
            while (true) {
                long wait = due - System.nanoTime();
                if (wait <= 0) {
                    lag[i] = -wait;
                    break;
                }
                if (wait < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(wait - SPIN_NANOS / 2);
                }
            }
        }
        Arrays.sort(lag);
        System.out.printf(Locale.ROOT, "LAG %.3f %.3f %.3f %d%n", at(lag, 0.50) / 1e6, at(lag, 0.99) / 1e6,
                lag[n - 1] / 1e6, n);
    }

    private static long at(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1));
        return sorted[i];
    }
}
