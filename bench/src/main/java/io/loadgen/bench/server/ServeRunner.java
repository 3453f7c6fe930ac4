package io.loadgen.bench.server;

import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import io.loadgen.bench.report.Outputs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts {@code loadgen serve} in its own JVM on 127.0.0.1 with a free port ({@code --port 0}), at one max batch
 * size, with the benchmark's fixed settings ({@code --max-delay 5ms --queue 2B+16 --workers 1
 * --intra-op-threads 2}) and the run's {@code --image-decoder}, and waits until it listens (60 s) and its model is
 * ready (300 s). Its output goes to {@code serve-b<B>.log} in the runs directory. It is stopped with SIGTERM, on
 * which it drains what it accepted, and killed if it has not exited within 30 s.
 */
public final class ServeRunner {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final ServerSettings settings;
    private final Path cliJar;
    private final Outputs outputs;
    private final Notes notes;

    /** A server that is ready; {@link #close} stops it. */
    public final class Running implements AutoCloseable {
        private final Proc proc;
        private final int batch;
        private final int port;

        private Running(Proc proc, int batch, int port) {
            this.proc = proc;
            this.batch = batch;
            this.port = port;
        }

        /** @return the port it listens on, on 127.0.0.1 */
        public int port() {
            return port;
        }

        /** @return its process id */
        public long pid() {
            return proc.pid();
        }

        /** @return {@code --queue} */
        public int queue() {
            return settings.queue(batch);
        }

        /** SIGTERM, then SIGKILL after 30 s, with a note if it had to be killed. */
        @Override
        public void close() throws InterruptedException {
            stop(proc, batch);
        }
    }

    /**
     * @param settings the fixed server settings
     * @param cliJar loadgen-cli.jar
     * @param outputs where the log goes
     * @param notes where failures are noted
     */
    public ServeRunner(ServerSettings settings, Path cliJar, Outputs outputs, Notes notes) {
        this.settings = settings;
        this.cliJar = cliJar;
        this.outputs = outputs;
        this.notes = notes;
    }

    /**
     * @param batch {@code --max-batch}
     * @return the server, ready, or null if it did not get there (it is then stopped, and a note says why)
     * @throws IOException if the JVM cannot be started
     * @throws InterruptedException if interrupted
     */
    public Running start(int batch) throws IOException, InterruptedException {
        Path logFile = outputs.runsDir().resolve("serve-b" + batch + ".log");
        Proc server = Proc.startFollowed(List.of(Machine.java(), "-jar", cliJar.toString(), "serve", "--host",
                "127.0.0.1", "--port", "0", "--max-batch", Integer.toString(batch), "--max-delay",
                ServerSettings.MAX_DELAY, "--queue", Integer.toString(settings.queue(batch)), "--workers",
                Integer.toString(ServerSettings.WORKERS), "--intra-op-threads",
                Integer.toString(ServerSettings.INTRA_OP), "--image-decoder", settings.decoderName()), logFile);
        try {
            Optional<String> listening = server.awaitLine(l -> port(l).isPresent(), Duration.ofSeconds(60));
            if (listening.isEmpty()) {
                notes.add("server max batch " + batch + " did not listen (exit " + server.exitText() + "), see "
                        + outputs.rel(logFile));
                stop(server, batch);
                return null;
            }
            if (server.awaitLine(l -> l.startsWith("ready: model"), Duration.ofSeconds(300)).isEmpty()) {
                notes.add("server max batch " + batch + " was not ready in 300 s (exit " + server.exitText()
                        + "), see " + outputs.rel(logFile));
                stop(server, batch);
                return null;
            }
            return new Running(server, batch, port(listening.get()).getAsInt());
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void stop(Proc server, int batch) throws InterruptedException {
        server.stop(STOP_GRACE);
        if (server.killed()) {
            notes.add("server max batch " + batch + " did not stop within 30 s of SIGTERM: killed");
        }
    }

    /**
     * @param line a line of {@code loadgen serve}'s output
     * @return the port, if the line says that it listens on 127.0.0.1
     */
    public static OptionalInt port(String line) {
        Matcher m = LISTENING.matcher(line);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
}
