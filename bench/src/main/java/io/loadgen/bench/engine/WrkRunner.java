package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * wrk 4 (Debian's), closed loop: each connection sends its next request when the answer to the last one arrives,
 * so what it measures is the saturation throughput of the target and the machine together, not a held rate, and
 * its latency (from the actual send) suffers from coordinated omission. Run as {@code -t1 -c32} and {@code -t2
 * -c32}; the better one is the saturation figure. It also warms a target up before the other tools run. The CPU is
 * taken from 1 s after the start to 0.5 s before the end.
 */
public final class WrkRunner {
    /** The closed-loop settings tried: {threads, connections}. */
    static final int[][] SETTINGS = {{1, 32}, {2, 32}};

    private final Path wrk;

    /** @param wrk the binary, or null if it is not installed */
    public WrkRunner(Path wrk) {
        this.wrk = wrk;
    }

    /** @return wrk on the PATH, or null */
    public static Path find() {
        return Machine.which("wrk");
    }

    /** @return the tool's name */
    public String name() {
        return "wrk";
    }

    /** @return why it cannot run here, or empty */
    public Optional<String> unavailable() {
        return wrk != null ? Optional.empty() : Optional.of("wrk is not installed (Debian wrk; bench/engine installs"
                + " it)");
    }

    /**
     * Loads the target for a while, output kept but not measured.
     *
     * @param target the target
     * @param duration how long
     * @param dir where the output goes
     * @throws IOException if wrk cannot be started
     * @throws InterruptedException if interrupted
     */
    public void warmUp(Target target, Duration duration, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Proc.run(List.of(wrk.toString(), "-t2", "-c32", "-d" + duration.toSeconds() + "s", target.url()),
                dir.resolve("warmup-wrk.txt"), duration.plusSeconds(20));
    }

    /**
     * One closed-loop run.
     *
     * @param target the target
     * @param threads wrk's -t
     * @param connections wrk's -c
     * @param duration how long
     * @param dir where the output goes (created)
     * @return its figures; offered is NaN
     * @throws IOException if wrk cannot be started
     * @throws InterruptedException if interrupted
     */
    public Measurement run(Target target, int threads, int connections, Duration duration, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        long seconds = Math.max(1, duration.toSeconds());
        String settings = "-t" + threads + " -c" + connections + " -d" + seconds + "s";
        List<String> cmd = List.of(wrk.toString(), "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--latency", target.url());
        Path log = dir.resolve("wrk.txt");
        MeasuredRun r = MeasuredRun.run(cmd, log, Duration.ofSeconds(seconds + 30), target, null);
        WrkOutput o = WrkOutput.parse(Files.readString(log));
        if (Double.isNaN(o.requestsPerSecond())) {
            return Measurement.failed(name(), target.name(), Double.NaN, r.exit(), r.timedOut(), settings, dir,
                    "no Requests/sec in wrk's output (exit " + r.exit() + ")");
        }
        Instant from = r.started().plusSeconds(1);
        Instant to = r.started().plusSeconds(seconds).minusMillis(500);
        CpuUse cpu = r.use(from, to, o.requestsPerSecond());
        return new Measurement(name(), target.name(), Double.NaN, o.requestsPerSecond(), o.p50Ms(), o.p99Ms(),
                Double.NaN, Math.max(0, o.requests()), o.errors(), cpu, r.exit(), r.timedOut(), null, settings, dir,
                List.of());
    }
}
