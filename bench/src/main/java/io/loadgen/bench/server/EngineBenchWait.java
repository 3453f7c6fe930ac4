package io.loadgen.bench.server;

import io.loadgen.bench.engine.EngineBench;
import io.loadgen.bench.report.ProgressLog;
import java.time.Duration;

/**
 * Waits while an engine benchmark ({@link EngineBench}, found by its main class on a process's command line) runs on
 * this machine, since both need the whole machine: up to 10 minutes, checking every 15 s. If it is still running
 * then, the server bench goes on, with a note that its figures are disturbed.
 */
public final class EngineBenchWait {
    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final Duration CHECK = Duration.ofSeconds(15);

    private EngineBenchWait() {
    }

    /**
     * @param notes where a wait that ran out is noted
     * @param log progress
     * @throws InterruptedException if interrupted
     */
    public static void await(Notes notes, ProgressLog log) throws InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        boolean waited = false;
        while (running()) {
            if (System.nanoTime() > deadline) {
                notes.add("an EngineBench was still running after 10 minutes of waiting: figures are disturbed");
                log.log("EngineBench still running after 10 minutes; going on");
                return;
            }
            if (!waited) {
                log.log("EngineBench is running; waiting for it to finish (up to 10 minutes)");
                waited = true;
            }
            Thread.sleep(CHECK.toMillis());
        }
    }

    /** @return whether another process runs {@link EngineBench} */
    static boolean running() {
        long self = ProcessHandle.current().pid();
        String main = EngineBench.class.getName();
        return ProcessHandle.allProcesses().anyMatch(p -> p.pid() != self && p.info().commandLine()
                .map(c -> c.contains(main)).orElse(false));
    }
}
