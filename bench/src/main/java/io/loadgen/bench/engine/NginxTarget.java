package io.loadgen.bench.engine;

import io.loadgen.bench.proc.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx (nginx-light) with one worker, serving a 5-byte {@code index.html} on 127.0.0.1 at a free port,
 * with access logging off and keep-alive for a million requests a connection. Its configuration, pid file, error
 * log, temporary directories and document root are all in the directory it is given; it runs in the foreground
 * ({@code daemon off}) as a child of the bench, which stops it with SIGTERM (then SIGKILL) and its worker with it.
 */
public final class NginxTarget implements Target {
    /** The body served: the same as HelloServer's. */
    static final String BODY = "hello";

    private final Proc proc;
    private final int port;
    private final List<Long> pids;
    private final String version;

    private NginxTarget(Proc proc, int port, List<Long> pids, String version) {
        this.proc = proc;
        this.port = port;
        this.pids = pids;
        this.version = version;
    }

    /**
     * Writes the configuration and starts nginx.
     *
     * @param nginx the binary
     * @param dir its directory (created)
     * @param timeout how long it may take to accept connections
     * @return it, accepting connections
     * @throws IOException if it cannot be started or does not accept in time
     * @throws InterruptedException if interrupted
     */
    public static NginxTarget start(Path nginx, Path dir, Duration timeout) throws IOException, InterruptedException {
        Path abs = dir.toAbsolutePath().normalize();
        Files.createDirectories(abs.resolve("html"));
        Files.createDirectories(abs.resolve("tmp"));
        Files.writeString(abs.resolve("html/index.html"), BODY);
        int port = FreePort.pick();
        Path conf = abs.resolve("nginx.conf");
        Files.writeString(conf, conf(abs, port));
        String version = version(nginx, abs);
        Proc p = Proc.start(List.of(nginx.toString(), "-c", conf.toString(), "-p", abs.toString()),
                abs.resolve("nginx.out"));
        if (!FreePort.awaitAccepting(port, timeout, p::isAlive)) {
            p.close();
            throw new IOException("nginx did not accept on 127.0.0.1:" + port + " within " + timeout.toSeconds()
                    + " s (exit " + p.exitText() + "); see " + abs.resolve("error.log") + " and "
                    + abs.resolve("nginx.out"));
        }
        // the worker is forked by the master once the configuration is read; give it a moment
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 50 && p.descendants().isEmpty(); i++) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        pids.add(p.pid());
        pids.addAll(p.descendants());
        return new NginxTarget(p, port, List.copyOf(pids), version);
    }

    /**
     * @param dir the prefix directory (absolute)
     * @param port the port to listen on
     * @return the configuration
     */
    static String conf(Path dir, int port) {
        return """
                # written by the engine bench (io.loadgen.bench.engine.NginxTarget)
                worker_processes 1;
                daemon off;
                error_log %1$s/error.log warn;
                pid %1$s/nginx.pid;
                events {
                    worker_connections 16384;
                }
                http {
                    access_log off;
                    keepalive_requests 1000000;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                        root %1$s/html;
                    }
                }
                """.formatted(dir, port);
    }

    private static String version(Path nginx, Path dir) {
        try {
            Path out = dir.resolve("nginx-version.txt");
            Proc.run(List.of(nginx.toString(), "-v"), out, Duration.ofSeconds(10));
            String v = Files.readString(out).trim();
            return v.startsWith("nginx version: ") ? v.substring("nginx version: ".length()) : v;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "nginx";
        }
    }

    @Override
    public String name() {
        return "nginx";
    }

    @Override
    public String description() {
        return version + ", 1 worker, a 5-byte index.html, access log off, 127.0.0.1:" + port;
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    @Override
    public List<Long> pids() {
        return pids;
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
