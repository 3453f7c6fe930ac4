package io.loadgen.bench.engine;

import io.loadgen.bench.HelloServer;
import io.loadgen.bench.proc.Machine;
import io.loadgen.bench.proc.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The bench's {@link HelloServer} (HttpCore 5's async server, as many I/O threads as cores) in its own JVM on
 * 127.0.0.1: it answers every request with {@code 200 hello} and keeps the connection alive.
 */
public final class HelloTarget implements Target {
    private final Proc proc;
    private final int port;

    private HelloTarget(Proc proc, int port) {
        this.proc = proc;
        this.port = port;
    }

    /**
     * @param dir where its log goes (created)
     * @param timeout how long it may take to listen
     * @return it, listening
     * @throws IOException if it cannot be started or does not listen in time
     * @throws InterruptedException if interrupted
     */
    public static HelloTarget start(Path dir, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Proc p = Proc.startFollowed(List.of(Machine.java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                HelloServer.class.getName(), "0", "--async"), dir.resolve("hello-server.log"));
        Optional<String> line = p.awaitLine(l -> l.startsWith("PORT "), timeout);
        if (line.isEmpty()) {
            p.close();
            throw new IOException("HelloServer did not print its port within " + timeout.toSeconds() + " s (exit "
                    + p.exitText() + "); see " + dir.resolve("hello-server.log"));
        }
        int port = Integer.parseInt(line.get().substring(5).trim());
        if (!FreePort.awaitAccepting(port, timeout, p::isAlive)) {
            p.close();
            throw new IOException("HelloServer does not accept on 127.0.0.1:" + port);
        }
        return new HelloTarget(p, port);
    }

    @Override
    public String name() {
        return "hello";
    }

    @Override
    public String description() {
        return "HelloServer: HttpCore 5 async server, " + Machine.cores() + " I/O threads, own JVM (-Xmx256m), "
                + "200 hello, 127.0.0.1:" + port;
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    @Override
    public List<Long> pids() {
        return List.of(proc.pid());
    }

    @Override
    public boolean isAlive() {
        return proc.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        proc.stop(Duration.ofSeconds(5));
    }
}
