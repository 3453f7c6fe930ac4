package io.loadgen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.loadgen.config.Setting;
import io.loadgen.config.Settings;
import io.loadgen.client.InferenceClient;
import io.loadgen.server.ServerSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundled inference server in a JVM of its own, a child of this one, as users deploy it: {@code loadgen demo} and
 * {@code loadgen gui} drive it, so that its TensorFlow threads, its garbage and its collector never stop the
 * generator that measures it.
 *
 * <p>Its share of the machine is a {@link CpuShare}: with two or more processors it is pinned (with {@code taskset})
 * to all but one, and its JVM is told it has that many ({@code -XX:ActiveProcessorCount}), so that TensorFlow's
 * intra-op threads, Jetty's and the collector's are sized to them; the generator keeps the remaining processor.
 * Its settings are this process's server settings, written to {@code server.properties} beside its log
 * ({@code server.log}, its standard output and error).
 *
 * <p>It is ready when its {@code /health/ready} answers 200 (model loaded and warmed). It stops when {@link #close()}
 * is called, at this JVM's exit (a shutdown hook: after the run it serves has drained, see {@link #stopAfter}), and,
 * should this JVM be killed outright, by itself: its standard input is a pipe from this process, and it exits when the
 * pipe closes. It ignores the terminal's Ctrl-C, which reaches the whole process group: its parent stops the run
 * first, then it.
 *
 * <p>Thread-safe: {@link #close()} may be called from any thread, more than once.
 */
final class ServerProcess implements AutoCloseable {
    /** How long a start may take: the first one builds the default model and warms every batch size. */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(10);
    /** How long a stop may take before the process is killed: the server finishes the requests it accepted. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(45);
    /** Lines of the log that an error names. */
    private static final int TAIL_LINES = 15;
    private static final Pattern LISTENING = Pattern.compile("listening on (https?://[^\\s,]+)");

    /** Waits, up to a bound, for whatever the server is serving to end before it is stopped at exit. */
    @FunctionalInterface
    interface Quiesce {
        /**
         * @param max the longest wait
         * @throws InterruptedException if interrupted
         */
        void await(Duration max) throws InterruptedException;
    }

    private final Process process;
    private final OutputStream parentPipe;
    private final Path log;
    private final CpuShare share;
    private final Thread pump;
    private final Thread hook;
    private final CountDownLatch listening = new CountDownLatch(1);
    private final Deque<String> tail = new ArrayDeque<>();
    private volatile URI baseUri;
    private volatile Quiesce quiesce = max -> { };
    private boolean closed;

    private ServerProcess(Process process, Path log, CpuShare share) throws IOException {
        this.process = process;
        this.parentPipe = process.getOutputStream();
        this.log = log;
        this.share = share;
        Writer logFile = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.pump = new Thread(() -> pump(logFile), "server-process-log");
        this.pump.setDaemon(true);
        this.pump.start();
        this.hook = new Thread(this::stopAtExit, "server-process-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Starts the bundled server as a child process and waits until it is ready.
     *
     * @param cfg the settings: the server's group is passed to the child as a properties file
     * @param dir where {@code server.log} and {@code server.properties} are written (created if needed)
     * @param progress where to say what is going on
     * @return the ready server
     * @throws IOException if it cannot be started, exits before it is ready (the message has the end of its log), or
     *     is not ready within {@link #READY_TIMEOUT}
     * @throws InterruptedException if interrupted while waiting (the child is stopped)
     */
    static ServerProcess start(Settings cfg, Path dir, PrintWriter progress) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        writeSettings(cfg, properties);
        CpuShare share = CpuShare.here();
        if (share.pinned() && onPath("taskset").isEmpty()) {
            share = share.unpinned();
        }
        ProcessBuilder pb = new ProcessBuilder(command(share, properties)).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        // the properties file holds the effective values; a LOADGEN_* variable must not override them in the child
        env.keySet().removeIf(k -> k.startsWith(Settings.ENV_PREFIX));
        env.putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        ServerProcess server = new ServerProcess(pb.start(), dir.resolve("server.log"), share);
        try {
            server.awaitReady(READY_TIMEOUT);
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The child's command line: {@code [taskset -c LIST] java OPTIONS -cp CLASSPATH io.loadgen.cli.Main serve ...}. */
    static List<String> command(CpuShare share, Path properties) {
        List<String> cmd = new ArrayList<>();
        share.serverCpuList().ifPresent(list -> cmd.addAll(List.of("taskset", "-c", list)));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:ActiveProcessorCount=" + share.serverCpus());
        cmd.add("-Djava.awt.headless=true");
        for (String p : List.of("user.home", "java.io.tmpdir", "org.bytedeco.javacpp.cachedir")) {
            String v = System.getProperty(p);
            if (v != null) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                "--stop-with-parent", "--config", properties.toAbsolutePath().toString()));
        return cmd;
    }

    /** Writes the server group's effective values as a properties file. */
    private static void writeSettings(Settings cfg, Path file) throws IOException {
        Properties p = new Properties();
        for (Setting<?> s : ServerSettings.GROUP.settings()) {
            p.setProperty(s.key(), value(cfg, s));
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "the bundled server's settings, as its parent loadgen passed them");
        }
    }

    private static <T> String value(Settings cfg, Setting<T> s) {
        T v = cfg.get(s);
        if (v instanceof Optional<?> o && o.isPresent() && o.get() instanceof Path path) {
            // a model directory relative to this process's working directory: the child's is the same, but say it
            // absolutely so that the file reads the same anywhere; a bare name (fashion-mnist) stays a name
            Path abs = path.toAbsolutePath();
            if (Files.isDirectory(abs)) {
                return abs.toString();
            }
        }
        return s.format(v);
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private void pump(Writer logFile) {
        try (logFile; BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                logFile.write(line);
                logFile.write('\n');
                logFile.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (baseUri == null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        baseUri = URI.create(m.group(1));
                        listening.countDown();
                    }
                }
            }
        } catch (IOException e) {
            // the child has gone; what it wrote is in the file
        } finally {
            listening.countDown();
        }
    }

    private void awaitReady(Duration max) throws IOException, InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        boolean said = listening.await(max.toNanos(), TimeUnit.NANOSECONDS);
        if (!said || baseUri == null) {
            // the latch also opens when its output ends: then the process is ending, let it end to tell its code
            boolean ended = said && process.waitFor(10, TimeUnit.SECONDS);
            throw failure(ended || !process.isAlive() ? "exited (" + exitCode() + ") before it was listening"
                    : "did not say where it listens within " + max.toSeconds() + " s");
        }
        try (InferenceClient client = InferenceClient.builder(baseUri).timeout(Duration.ofSeconds(5)).build()) {
            while (!client.ready()) {
                if (!process.isAlive()) {
                    throw failure("exited (" + exitCode() + ") before it was ready");
                }
                if (System.nanoTime() > end) {
                    throw failure("was not ready within " + max.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        }
    }

    private String exitCode() {
        try {
            return "exit code " + process.exitValue();
        } catch (IllegalThreadStateException running) {
            return "running";
        }
    }

    private IOException failure(String what) {
        if (!process.isAlive()) {
            try {
                pump.join(2000); // the last lines of its output
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String lines;
        synchronized (tail) {
            lines = String.join("\n  ", tail);
        }
        return new IOException("the bundled server (pid " + process.pid() + ") " + what + "; the end of its log ("
                + log.toAbsolutePath() + "):\n  " + lines);
    }

    /** @return the server's base URI, e.g. {@code http://127.0.0.1:8091} */
    URI baseUri() {
        return baseUri;
    }

    /** @return the child's process id */
    long pid() {
        return process.pid();
    }

    /** @return its share of the processors */
    CpuShare share() {
        return share;
    }

    /** @return its log file */
    Path log() {
        return log;
    }

    /** @return whether the child is running */
    boolean isAlive() {
        return process.isAlive();
    }

    /** @return the first model of its {@code /v1/models} document (name, device, classes, batching) */
    JsonNode model() {
        try (InferenceClient client = InferenceClient.builder(baseUri).timeout(Duration.ofSeconds(10)).build()) {
            return client.models().path("models").path(0);
        }
    }

    /**
     * At this JVM's exit, the server is stopped only once {@code q} has returned (bounded by {@link #STOP_TIMEOUT}): a
     * run that Ctrl-C stops drains its requests in flight against a server that still answers them.
     */
    void stopAfter(Quiesce q) {
        this.quiesce = q;
    }

    private void stopAtExit() {
        try {
            quiesce.await(STOP_TIMEOUT);
        } catch (InterruptedException | RuntimeException e) {
            // stop it anyway
        }
        stop();
    }

    /**
     * Stops the server (it finishes the requests it accepted) and waits for it; kills it past {@link #STOP_TIMEOUT}.
     */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            parentPipe.close(); // the child's end of input: it stops as on SIGTERM
        } catch (IOException e) {
            // it has gone already
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
            pump.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
