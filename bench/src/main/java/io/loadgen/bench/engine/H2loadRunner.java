package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.report.Fmt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * h2load over HTTP/1.1 at a rate: {@code h2load --h1 -t2 -c C --rps R -D SECONDS --log-file FILE URL}. {@code --rps}
 * is per client, so C = rate / 250 clients (at least 2, one a thread) each send R = rate / C a second. A client
 * that still waits for an answer sends late, and h2load does not say how late: its latency (from the log file) is
 * from the actual send, a service time. The CPU is taken from 1 s after the start to 0.5 s before the end.
 */
public final class H2loadRunner implements Tool {
    private static final int THREADS = 2;
    private static final int RPS_PER_CLIENT = 250;

    private final Path h2load;

    /** @param h2load the binary, or null if it is not installed */
    public H2loadRunner(Path h2load) {
        this.h2load = h2load;
    }

    @Override
    public String name() {
        return "h2load";
    }

    @Override
    public Optional<String> unavailable() {
        return h2load != null ? Optional.empty()
                : Optional.of("h2load is not installed (Debian nghttp2-client; bench/engine installs it)");
    }

    @Override
    public Duration overhead(Duration trial) {
        return Duration.ofSeconds(1);
    }

    /**
     * @param rate req/s
     * @return {clients, rps per client}
     */
    static int[] clients(double rate) {
        int c = (int) Math.max(THREADS, Math.round(rate / RPS_PER_CLIENT));
        return new int[] {c, (int) Math.max(1, Math.round(rate / c))};
    }

    @Override
    public Measurement run(Target target, double rate, Duration duration, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int[] c = clients(rate);
        long seconds = Math.max(1, Math.round(duration.toMillis() / 1000.0));
        Path logFile = dir.resolve("requests.tsv");
        List<String> cmd = List.of(h2load.toString(), "--h1", "-t", Integer.toString(THREADS), "-c",
                Integer.toString(c[0]), "--rps", Integer.toString(c[1]), "-D", Long.toString(seconds), "--log-file",
                logFile.toString(), target.url());
        String settings = "-t" + THREADS + " -c " + c[0] + " --rps " + c[1] + " -D " + seconds;
        Path log = dir.resolve("h2load.txt");
        MeasuredRun r = MeasuredRun.run(cmd, log, Duration.ofSeconds(seconds + 30), target, null);
        H2loadOutput o = H2loadOutput.parse(Files.readString(log));
        H2loadOutput.LogPercentiles lat = Files.isRegularFile(logFile) ? H2loadOutput.LogPercentiles.read(logFile)
                : H2loadOutput.LogPercentiles.NONE;
        // the log holds a line a request (20 MB at 80k/s for 10 s): keep its percentiles only
        Files.deleteIfExists(logFile);
        Files.writeString(dir.resolve("latency.txt"), Fmt.of("from %s: %d answered, p50 %s ms, p99 %s ms, max %s ms%n",
                logFile.getFileName(), lat.count(), Fmt.f3(lat.p50Ms()), Fmt.f3(lat.p99Ms()), Fmt.f3(lat.maxMs())));
        if (Double.isNaN(o.requestsPerSecond())) {
            return Measurement.failed(name(), target.name(), rate, r.exit(), r.timedOut(), settings, dir,
                    "no \"finished in\" line in h2load's output (exit " + r.exit() + ")");
        }
        double offered = (double) c[0] * c[1];
        Instant from = r.started().plusSeconds(1);
        Instant to = r.started().plusSeconds(seconds).minusMillis(500);
        CpuUse cpu = r.use(from, to, o.requestsPerSecond());
        return new Measurement(name(), target.name(), offered, o.requestsPerSecond(), lat.p50Ms(), lat.p99Ms(),
                Double.NaN, Math.max(0, o.total()), o.errors(), cpu, r.exit(), r.timedOut(), null, settings, dir,
                List.of());
    }

    /** @return h2load on the PATH, or null */
    public static Path find() {
        return Machine.which("h2load");
    }
}
