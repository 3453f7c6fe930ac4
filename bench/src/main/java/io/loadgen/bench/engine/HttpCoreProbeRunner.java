package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Machine;
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
 * The HttpCore 5 probe ({@code io.loadgen.bench.probe.HttpCoreProbe}, not part of this package), in its own JVM with
 * the bench's classpath: {@code --target URL --rate N --duration D --json FILE}. It warms up on its own first, then
 * runs D and writes FILE at the end; the CPU window is taken back from the time FILE was written: from D - 1 s
 * before it to 0.5 s before it (the probe's drain after the schedule is short when the rate is held).
 */
public final class HttpCoreProbeRunner implements Tool {
    /** The probe's class. */
    static final String PROBE = "io.loadgen.bench.probe.HttpCoreProbe";

    @Override
    public String name() {
        return "httpcore-probe";
    }

    @Override
    public Optional<String> unavailable() {
        try {
            Class.forName(PROBE, false, HttpCoreProbeRunner.class.getClassLoader());
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of(PROBE + " is not on the classpath (bench/target/classes)");
        }
    }

    @Override
    public Duration overhead(Duration trial) {
        return Duration.ofSeconds(6);
    }

    @Override
    public Measurement run(Target target, double rate, Duration duration, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path json = dir.resolve("probe.json");
        List<String> cmd = List.of(Machine.java(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), PROBE,
                "--target", target.url(), "--rate", Fmt.f0(rate), "--duration", LoadgenRunner.seconds(duration),
                "--json", json.toString());
        String settings = "--duration " + LoadgenRunner.seconds(duration);
        MeasuredRun r = MeasuredRun.run(cmd, dir.resolve("probe.log"), duration.plusSeconds(60), target, null);
        if (!Files.isRegularFile(json)) {
            return Measurement.failed(name(), target.name(), rate, r.exit(), r.timedOut(), settings, dir,
                    "no " + json.getFileName() + " (exit " + r.exit() + ")");
        }
        ProbeResult p = ProbeResult.parse(Files.readString(json));
        Instant written = Files.getLastModifiedTime(json).toInstant();
        Instant from = written.minus(duration).plusSeconds(1);
        Instant to = written.minusMillis(500);
        CpuUse cpu = r.use(from, to, p.achieved());
        List<String> notes = new ArrayList<>();
        if (p.unfinished() > 0) {
            notes.add(p.unfinished() + " requests unfinished at the end");
        }
        long requests = Math.round(p.achieved() * duration.toMillis() / 1000.0) + p.errors();
        return new Measurement(name(), target.name(), rate, p.achieved(), p.p50Ms(), p.p99Ms(), p.lagP99Ms(),
                requests, p.errors(), cpu, r.exit(), r.timedOut(), null, settings, dir, notes);
    }
}
