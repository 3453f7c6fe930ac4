package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Fmt;
import io.loadgen.config.JvmOptionsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code loadgen run} at a constant rate, with one transport ({@code --transport lean} or {@code httpclient}), in a
 * fresh JVM with the JVM options {@code ./loadgen} starts it with ({@link #JVM_OPTIONS}: the heap's ceiling and the
 * collector of {@code conf/jvm.options}). The JVM starts, warms its own request path against a loopback sink for about 2 s
 * (loadgen's default self-warm, which the target does not see), then runs the schedule; the figures come from the
 * results directory's {@code summary.json}. The CPU is taken over the measured part only: from 1 s after the
 * summary's {@code start} (the first intended send) to 0.5 s before the schedule's end.
 */
public final class LoadgenRunner implements Tool {
    /**
     * The JVM options of {@code conf/jvm.options} (the launcher's), so that the bench measures loadgen as a user runs
     * it; {@code -Xmx512m} when the file is not there.
     */
    public static final List<String> JVM_OPTIONS = launcherOptions(Path.of("conf", "jvm.options"));

    static List<String> launcherOptions(Path file) {
        try {
            return JvmOptionsFile.read(file);
        } catch (IOException e) {
            return List.of("-Xmx512m");
        }
    }

    private final String transport;
    private final Path jar;
    private final List<String> extraArgs;

    /**
     * @param transport "lean" or "httpclient"
     * @param jar loadgen-cli.jar (with its lib/ beside it)
     * @param extraArgs added to every {@code loadgen run}
     */
    public LoadgenRunner(String transport, Path jar, List<String> extraArgs) {
        this.transport = transport;
        this.jar = jar;
        this.extraArgs = List.copyOf(extraArgs);
    }

    @Override
    public String name() {
        return "loadgen-" + transport;
    }

    @Override
    public Optional<String> unavailable() {
        return Files.isRegularFile(jar) ? Optional.empty()
                : Optional.of("no loadgen jar at " + jar + " (build it, or pass --loadgen-jar)");
    }

    @Override
    public Duration overhead(Duration trial) {
        return Duration.ofSeconds(7);
    }

    @Override
    public Measurement run(Target target, double rate, Duration duration, Path dir)
            throws IOException, InterruptedException {
        return run(target, rate, duration, dir, List.of(), null);
    }

    /**
     * Runs one trial, with JVM options added and a hook called every 250 ms while it runs (the heap probe's).
     *
     * @param target what to load
     * @param rate req/s
     * @param duration the schedule's length
     * @param dir the trial's directory
     * @param jvmArgs added before {@code -jar}
     * @param poll called while it runs, or null
     * @return what it measured
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted
     */
    public Measurement run(Target target, double rate, Duration duration, Path dir, List<String> jvmArgs,
            Consumer<Proc> poll) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path out = dir.resolve("out");
        List<String> cmd = new ArrayList<>(List.of(Machine.java()));
        cmd.addAll(JVM_OPTIONS);
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--target", target.url(), "--rate", Fmt.f0(rate),
                "--arrival", "constant", "--duration", seconds(duration), "--out", out.toString(), "-q",
                "--transport", transport));
        cmd.addAll(extraArgs);
        String settings = "--transport " + transport + " --duration " + seconds(duration)
                + (extraArgs.isEmpty() ? "" : " " + String.join(" ", extraArgs));
        Duration timeout = duration.plus(Duration.ofSeconds(60));
        MeasuredRun r = MeasuredRun.run(cmd, dir.resolve("loadgen.log"), timeout, target, poll);
        Path summaryFile = out.resolve("summary.json");
        List<String> notes = new ArrayList<>(exceptions(dir.resolve("loadgen.log")));
        if (!Files.isRegularFile(summaryFile)) {
            return Measurement.failed(name(), target.name(), rate, r.exit(), r.timedOut(), settings, dir,
                    "no summary.json (exit " + r.exit() + (r.timedOut() ? ", timed out" : "") + ")");
        }
        LoadgenSummary s = LoadgenSummary.read(summaryFile);
        Instant from = s.start().plusSeconds(1);
        Instant to = s.start().plusMillis(Math.round(s.durationS() * 1000) - 500);
        CpuUse cpu = r.use(from, to, s.achieved());
        if (!s.valid()) {
            notes.add("verdict INVALID: " + String.join("; ", s.reasons()));
        }
        if (s.counts().gap() != 0) {
            notes.add("counts do not add up: " + s.counts());
        }
        long errors = Math.max(0, s.counts().errors());
        return new Measurement(name(), target.name(), rate, s.achieved(), s.p50Ms(), s.p99Ms(), s.sendLagP99Ms(),
                Math.max(0, s.counts().completed()), errors, cpu, r.exit(), r.timedOut(), s.counts(), settings, dir,
                notes);
    }

    /** "10s", or "4500ms" for a duration that is not whole seconds. */
    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** @return "printed java.lang.OutOfMemoryError" for each kind of exception the log shows, or nothing */
    private static List<String> exceptions(Path log) {
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.map(String::trim)
                    .filter(l -> l.matches("^(Exception in thread .*|(java|javax|io|org)\\.[\\w.$]+(Exception|Error)"
                            + "\\b.*)"))
                    .map(l -> l.startsWith("Exception in thread") ? l : l.split(":")[0])
                    .distinct().limit(3).map(k -> "printed " + k).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
