package io.loadgen.bench.engine;

import io.loadgen.bench.report.Fmt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * wrk2 ({@code wrk -t2 -cC -dD -R RATE --latency URL}), open loop at a constant total rate. Each thread calibrates
 * for its first 10 s (plus 5 ms a connection of the thread), then resets its histogram: only what follows is in the
 * latency figures. So the run lasts the trial plus the calibration, and the figures are those of the part after it:
 * the p99 of the corrected (from the intended send time) distribution, and achieved = the responses recorded after
 * calibration ("Total count") over that part's length. (Its "Requests/sec" counts the whole run, the first
 * connections' ramp included, and is kept in the raw output.) The CPU is taken from 0.5 s after the calibration to
 * 0.5 s before the end.
 *
 * <p>Connections: max(50, rate / 400), even: a wrk2 connection has one request in flight, so at 80k req/s each of
 * 200 connections must be answered within 2.5 ms to keep up.
 */
public final class Wrk2Runner implements Tool {
    private static final int THREADS = 2;
    private static final Duration CALIBRATION = Duration.ofSeconds(10);

    private final Path wrk2;

    /** @param wrk2 the wrk2 binary (named wrk) */
    public Wrk2Runner(Path wrk2) {
        this.wrk2 = wrk2;
    }

    @Override
    public String name() {
        return "wrk2";
    }

    @Override
    public Optional<String> unavailable() {
        if (wrk2 == null) {
            return Optional.of("no wrk2 given (--wrk2 PATH; Debian has no package of it, and bench/engine passes a"
                    + " build of it when the machine has one beside the project)");
        }
        return Files.isExecutable(wrk2) ? Optional.empty() : Optional.of("no wrk2 at " + wrk2 + " (--wrk2 PATH)");
    }

    @Override
    public Duration overhead(Duration trial) {
        return CALIBRATION.plusSeconds(2);
    }

    /**
     * @param rate req/s
     * @return the connections for that rate
     */
    static int connections(double rate) {
        int c = (int) Math.max(50, Math.ceil(rate / 400));
        return c + c % THREADS;
    }

    /**
     * @param connections all threads' connections
     * @return how long a thread calibrates
     */
    static Duration calibration(int connections) {
        return CALIBRATION.plusMillis(5L * connections / THREADS);
    }

    @Override
    public Measurement run(Target target, double rate, Duration duration, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int c = connections(rate);
        Duration calibration = calibration(c);
        long seconds = (long) Math.ceil((calibration.toMillis() + duration.toMillis()) / 1000.0);
        Duration total = Duration.ofSeconds(seconds);
        List<String> cmd = List.of(wrk2.toString(), "-t" + THREADS, "-c" + c, "-d" + seconds + "s",
                "-R" + Fmt.f0(rate), "--latency", target.url());
        String settings = "-t" + THREADS + " -c" + c + " -d" + seconds + "s";
        Path log = dir.resolve("wrk2.txt");
        MeasuredRun r = MeasuredRun.run(cmd, log, total.plusSeconds(30), target, null);
        String text = Files.readString(log);
        Wrk2Output o = Wrk2Output.parse(text);
        if (o.recorded() < 0 || Double.isNaN(o.p99Ms())) {
            return Measurement.failed(name(), target.name(), rate, r.exit(), r.timedOut(), settings, dir,
                    "no latency distribution in wrk2's output (exit " + r.exit() + ")");
        }
        double measured = (total.toMillis() - calibration.toMillis()) / 1000.0;
        double achieved = o.recorded() / measured;
        Instant from = r.started().plus(calibration).plusMillis(500);
        Instant to = r.started().plus(total).minusMillis(500);
        CpuUse cpu = r.use(from, to, achieved);
        List<String> notes = new ArrayList<>();
        if (o.calibrated() < THREADS) {
            notes.add("only " + o.calibrated() + " of " + THREADS + " threads calibrated");
        }
        return new Measurement(name(), target.name(), rate, achieved, o.p50Ms(), o.p99Ms(), Double.NaN,
                Math.max(0, o.requests()), o.errors(), cpu, r.exit(), r.timedOut(), null,
                settings + " (Requests/sec " + Fmt.f0(o.requestsPerSecond()) + " over the whole run)", dir, notes);
    }
}
