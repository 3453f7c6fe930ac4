package io.loadgen.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Samples a JVM's heap with {@code jstat -gc PID 500} until the JVM exits, on a daemon thread, and keeps the
 * highest figures seen. Used = S0U + S1U + EU + OU (it includes garbage not collected yet), committed = S0C + S1C +
 * EC + OC. A sample taken just after the collection count (YGC + FGC) went up is an "after GC" figure: an upper
 * bound of the live data, as eden refills between the collection and the sample. jstat is a JVM of its own: it
 * takes some CPU while it samples. It needs the target JVM to be attachable, so it is retried until it is.
 */
public final class Jstat {
    /**
     * The highest figures seen.
     *
     * @param usedMaxMb most heap used, MB
     * @param committedMaxMb most heap committed, MB
     * @param afterGcMaxMb most heap used in a sample right after a collection, MB (0 if no collection was seen)
     * @param samples samples read
     */
    public record Heap(double usedMaxMb, double committedMaxMb, double afterGcMaxMb, int samples) {
    }

    private final long pid;
    private final Path log;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Proc jstat;
    private double usedMaxKb;
    private double committedMaxKb;
    private double afterGcMaxKb;
    private long lastGcCount = -1;
    private int samples;

    private Jstat(long pid, Path log) {
        this.pid = pid;
        this.log = log;
        this.thread = new Thread(this::loop, "jstat-" + pid);
        this.thread.setDaemon(true);
    }

    /**
     * @param pid a JVM's pid
     * @param log where jstat's output goes (the last attempt's)
     * @return a sampler, running
     */
    public static Jstat start(long pid, Path log) {
        Jstat j = new Jstat(pid, log);
        j.thread.start();
        return j;
    }

    private void loop() {
        Path bin = Path.of(System.getProperty("java.home"), "bin", "jstat");
        String jstatBin = Files.isExecutable(bin) ? bin.toString() : "jstat";
        // the target JVM can be attached to only after a moment: retry while it runs
        while (!stopped && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                Thread.sleep(300);
                try (Proc j = Proc.startFollowed(List.of(jstatBin, "-gc", Long.toString(pid), "500"), log)) {
                    jstat = j;
                    String[] header = null;
                    while (!stopped) {
                        Optional<String> line = j.awaitLine(l -> true, Duration.ofSeconds(1));
                        if (line.isEmpty()) {
                            if (!j.isAlive()) {
                                break;
                            }
                            continue;
                        }
                        String[] f = line.get().trim().split("\\s+");
                        if (f.length > 0 && f[0].equals("S0C")) {
                            header = f;
                        } else if (header != null && f.length == header.length) {
                            record(header, f);
                        }
                    }
                }
            } catch (IOException | InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Records one line of {@code jstat -gc} output.
     *
     * @param header the column names
     * @param f the values
     */
    synchronized void record(String[] header, String[] f) {
        double used = 0;
        double committed = 0;
        long gcs = 0;
        for (int i = 0; i < header.length; i++) {
            double v;
            try {
                v = Double.parseDouble(f[i]);
            } catch (NumberFormatException e) {
                continue;
            }
            switch (header[i]) {
                case "S0U", "S1U", "EU", "OU" -> used += v;
                case "S0C", "S1C", "EC", "OC" -> committed += v;
                case "YGC", "FGC" -> gcs += (long) v;
                default -> {
                }
            }
        }
        usedMaxKb = Math.max(usedMaxKb, used);
        committedMaxKb = Math.max(committedMaxKb, committed);
        if (lastGcCount >= 0 && gcs > lastGcCount) {
            afterGcMaxKb = Math.max(afterGcMaxKb, used);
        }
        lastGcCount = gcs;
        samples++;
    }

    /**
     * Stops sampling.
     *
     * @return the highest figures seen
     * @throws InterruptedException if interrupted
     */
    public Heap stop() throws InterruptedException {
        stopped = true;
        thread.join(5000);
        Proc j = jstat;
        if (j != null) {
            j.close();
        }
        return heap();
    }

    /** @return the highest figures seen so far */
    public synchronized Heap heap() {
        return new Heap(usedMaxKb / 1024, committedMaxKb / 1024, afterGcMaxKb / 1024, samples);
    }
}
