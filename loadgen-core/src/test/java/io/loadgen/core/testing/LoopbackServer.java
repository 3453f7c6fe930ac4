package io.loadgen.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * A real HTTP/1.1 server on an ephemeral loopback port (HttpCore 5's classic server: one thread per connection, so
 * a sleeping request holds only its own connection), for tests. It answers every
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
    private final long startNanos = System.nanoTime();
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();
    private final boolean keep;
    private volatile Behaviour behaviour;

    private LoopbackServer(Behaviour behaviour, boolean keepRequests) throws IOException {
        this.behaviour = behaviour;
        this.keep = keepRequests;
        this.server = ServerBootstrap.bootstrap()
                .setLocalAddress(InetAddress.getLoopbackAddress())
                .setListenerPort(0)
                .setCanonicalHostName("127.0.0.1")
                .setSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setBacklogSize(1024)
                        .setSoTimeout(Timeout.ofMinutes(1)).build())
                .register("*", this::handle)
                .create();
        server.start();
    }

    /** A server answering 200 at once, keeping no request. */
    public static LoopbackServer ok() throws IOException {
        return new LoopbackServer(r -> 200, false);
    }

    /**
     * @param behaviour how to answer
     * @param keepRequests whether to keep every request for {@link #received()}
     */
    public static LoopbackServer start(Behaviour behaviour, boolean keepRequests) throws IOException {
        return new LoopbackServer(behaviour, keepRequests);
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

    /**
     * A behaviour of known capacity: {@code slots} requests are served at once, each for {@code service}, so at most
     * {@code slots / service} requests per second; the others wait their turn (fairly).
     */
    public static Behaviour capacity(int slots, Duration service) {
        java.util.concurrent.Semaphore free = new java.util.concurrent.Semaphore(slots, true);
        long nanos = service.toNanos();
        return r -> {
            free.acquire();
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } finally {
                free.release();
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
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** @return the number of requests handled (answered or being answered) */
    public long count() {
        return count.get();
    }

    /** @return the requests kept, in arrival order (empty unless keeping) */
    public List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
            throws HttpException, IOException {
        long now = System.nanoTime();
        count.incrementAndGet();
        byte[] body = request.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(request.getEntity());
        java.util.Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : request.getHeaders()) {
            headers.putIfAbsent(h.getName(), h.getValue());
        }
        String path;
        try {
            path = request.getUri().getPath();
        } catch (java.net.URISyntaxException e) {
            throw new HttpException("bad uri", e);
        }
        Received r = new Received(now, request.getMethod(), path, headers, body);
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
        response.setCode(status);
        response.setEntity(new StringEntity("ok", ContentType.TEXT_PLAIN));
    }

    @Override
    public void close() {
        server.close(CloseMode.IMMEDIATE);
    }
}
