package io.loadgen.bench.proc;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process of a bench: its output (stdout and stderr together) goes to a log file, it is waited for with a
 * time-out, and it is killed with its whole process tree. Every process started here is in a registry until it
 * has ended, and a shutdown hook kills whatever is left when the bench's JVM exits (normally, on an exception, or
 * on SIGINT/SIGTERM), so nothing outlives a bench.
 *
 * <p>{@link #start} sends the output straight to the file. {@link #startFollowed} passes it through a thread that
 * writes it to the file and also queues every line, so that {@link #awaitLine} can wait for one (a server's
 * {@code PORT 123}, {@code ready}).
 *
 * <p>Environment variables {@code LOADGEN_*} are removed: a bench must not pick up somebody's settings.
 */
public final class Proc implements AutoCloseable {
    private static final Set<Proc> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Proc::killAll, "bench-proc-cleanup"));
    }

    private final Process process;
    private final List<String> command;
    private final Path log;
    private final Instant started;
    private final BlockingQueue<String> lines;
    private volatile boolean outputEnded;
    private volatile boolean killed;
    private volatile boolean timedOut;

    private Proc(Process process, List<String> command, Path log, Instant started, boolean followed) {
        this.process = process;
        this.command = List.copyOf(command);
        this.log = log;
        this.started = started;
        this.lines = followed ? new LinkedBlockingQueue<>() : null;
    }

    /**
     * Starts a command with its output going to a file.
     *
     * @param command the program and its arguments
     * @param log where stdout and stderr go (created or truncated)
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static Proc start(List<String> command, Path log) throws IOException {
        ProcessBuilder pb = builder(command).redirectOutput(log.toFile());
        Instant t = Instant.now();
        Proc p = new Proc(pb.start(), command, log, t, false);
        LIVE.add(p);
        return p;
    }

    /**
     * Starts a command whose output lines are written to a file and kept for {@link #awaitLine}.
     *
     * @param command the program and its arguments
     * @param log where stdout and stderr go (created or truncated)
     * @return the running process
     * @throws IOException if it cannot be started
     */
    public static Proc startFollowed(List<String> command, Path log) throws IOException {
        ProcessBuilder pb = builder(command);
        Instant t = Instant.now();
        Proc p = new Proc(pb.start(), command, log, t, true);
        LIVE.add(p);
        Thread reader = new Thread(p::follow, "output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /**
     * Runs a command to its end, or kills it after the time-out.
     *
     * @param command the program and its arguments
     * @param log where stdout and stderr go
     * @param timeout how long it may run
     * @return its exit code, or empty if it timed out (and was killed)
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static OptionalInt run(List<String> command, Path log, Duration timeout)
            throws IOException, InterruptedException {
        try (Proc p = start(command, log)) {
            return p.waitFor(timeout) ? p.exitCode() : OptionalInt.empty();
        }
    }

    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("LOADGEN_"));
        return pb;
    }

    private void follow() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); BufferedWriter w = Files.newBufferedWriter(log)) {
            String line;
            while ((line = r.readLine()) != null) {
                w.write(line);
                w.newLine();
                w.flush();
                lines.add(line);
            }
        } catch (IOException e) {
            // the process is gone, or the log cannot be written: the lines end here
        } finally {
            outputEnded = true;
        }
    }

    /** @return the process id */
    public long pid() {
        return process.pid();
    }

    /** @return the program and its arguments */
    public List<String> command() {
        return command;
    }

    /** @return the log file of its output */
    public Path log() {
        return log;
    }

    /** @return wall-clock time just before it was started */
    public Instant started() {
        return started;
    }

    /** @return whether it is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return whether it had to be killed with SIGKILL (it did not end on SIGTERM within the grace time) */
    public boolean killed() {
        return killed;
    }

    /** @return whether {@link #waitOrKill} ran out of time */
    public boolean timedOut() {
        return timedOut;
    }

    /** @return its exit code, or empty while it runs */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** @return "0", "143", or "still running", for messages */
    public String exitText() {
        return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    /**
     * @param timeout how long to wait
     * @return true if it ended within the time
     * @throws InterruptedException if interrupted
     */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        boolean ended = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (ended) {
            LIVE.remove(this);
        }
        return ended;
    }

    /**
     * Waits for the end; after the time-out, stops the process tree (SIGTERM, then SIGKILL) and marks it timed out.
     *
     * @param timeout how long it may still run
     * @return its exit code, or empty if it timed out
     * @throws InterruptedException if interrupted
     */
    public OptionalInt waitOrKill(Duration timeout) throws InterruptedException {
        if (waitFor(timeout)) {
            return exitCode();
        }
        timedOut = true;
        stop(DEFAULT_GRACE);
        return OptionalInt.empty();
    }

    /**
     * Waits for a line of output that matches (only for {@link #startFollowed}); lines before it are consumed.
     *
     * @param match what to wait for
     * @param timeout how long
     * @return the line, or empty after the time-out or when the output ended first
     * @throws InterruptedException if interrupted
     */
    public Optional<String> awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        if (lines == null) {
            throw new IllegalStateException("not started with startFollowed: " + command);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null) {
                if (match.test(l)) {
                    return Optional.of(l);
                }
            } else if (outputEnded && lines.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** @return the pids of its descendants now (children, their children, ...) */
    public List<Long> descendants() {
        return process.descendants().map(ProcessHandle::pid).toList();
    }

    /**
     * Stops the process and everything it started: SIGTERM to each, then SIGKILL to whatever is still alive after
     * the grace time.
     *
     * @param grace how long to wait after SIGTERM
     * @throws InterruptedException if interrupted
     */
    public void stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(0, process.toHandle());
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // still alive: killed below
            }
            if (h.isAlive()) {
                killed = true;
                h.destroyForcibly();
            }
        }
        process.waitFor(5, TimeUnit.SECONDS);
        LIVE.remove(this);
    }

    /** Stops it (and its tree) if it still runs, with a 5 s grace time. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            stop(DEFAULT_GRACE);
        }
        LIVE.remove(this);
    }

    /** Kills every process started here that has not ended (SIGTERM, 3 s, SIGKILL), trees included. */
    public static void killAll() {
        List<ProcessHandle> all = new ArrayList<>();
        for (Proc p : LIVE) {
            all.addAll(p.process.descendants().toList());
            all.add(p.process.toHandle());
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (ProcessHandle h : all) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
        LIVE.clear();
    }

    /** @return how many processes started here are still registered (running, or not yet waited for) */
    public static int liveCount() {
        return LIVE.size();
    }
}
