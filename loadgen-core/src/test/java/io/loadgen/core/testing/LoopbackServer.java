package io.loadgen.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 server on an ephemeral loopback port (the JDK's {@code HttpServer}), for tests. It answers every
 * request through a {@link Behaviour} and keeps what it received. Close it after use.
 */
public final class LoopbackServer implements AutoCloseable {
    /** What the server does with one request: sleep as long as it likes, then return a status. */
    @FunctionalInterface
    public interface Behaviour {
        /** @return the status to answer with */
        int handle(Received request) throws InterruptedException;
    }

    /**
     * One request as received.
     *
     * @param nanos {@link System#nanoTime()} when its handling began
     * @param method HTTP method
     * @param path request path
     * @param headers request headers, first value of each
     * @param body request body
     */
    public record Received(long nanos, String method, String path, java.util.Map<String, String> headers,
            byte[] body) {
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final long startNanos = System.nanoTime();
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();
    private final boolean keep;
    private volatile Behaviour behaviour;

    private LoopbackServer(Behaviour behaviour, int threads, boolean keepRequests) throws IOException {
        this.behaviour = behaviour;
        this.keep = keepRequests;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "loopback-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server answering 200 at once, with {@code threads} handler threads, keeping no request. */
    public static LoopbackServer ok(int threads) throws IOException {
        return new LoopbackServer(r -> 200, threads, false);
    }

    /**
     * @param behaviour how to answer
     * @param threads handler threads (each sleeping request holds one)
     * @param keepRequests whether to keep every request for {@link #received()}
     */
    public static LoopbackServer start(Behaviour behaviour, int threads, boolean keepRequests) throws IOException {
        return new LoopbackServer(behaviour, threads, keepRequests);
    }

    /**
     * A behaviour that freezes for {@code freeze} at the end of every {@code period} counted from
     * {@code originNanos}: a request arriving while frozen is answered when the freeze ends; others at once.
     */
    public static Behaviour stalling(long originNanos, Duration period, Duration freeze) {
        long p = period.toNanos();
        long f = freeze.toNanos();
        return r -> {
            long phase = Math.floorMod(r.nanos() - originNanos, p);
            if (phase >= p - f) {
                TimeUnit.NANOSECONDS.sleep(p - phase);
            }
            return 200;
        };
    }

    /** Replaces the behaviour. */
    public void behaviour(Behaviour b) {
        this.behaviour = b;
    }

    /** @return nanoTime at which the server started: the origin of {@link #stalling} periods */
    public long startNanos() {
        return startNanos;
    }

    /** @return {@code http://127.0.0.1:PORT/path} */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** @return the number of requests handled (answered or being answered) */
    public long count() {
        return count.get();
    }

    /** @return the requests kept, in arrival order (empty unless keeping) */
    public List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange ex) throws IOException {
        long now = System.nanoTime();
        count.incrementAndGet();
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        java.util.Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.isEmpty() ? "" : v.get(0)));
        Received r = new Received(now, ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, body);
        if (keep) {
            received.add(r);
        }
        int status;
        try {
            status = behaviour.handle(r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 503;
        }
        byte[] reply = "ok".getBytes();
        ex.sendResponseHeaders(status, reply.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(reply);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
