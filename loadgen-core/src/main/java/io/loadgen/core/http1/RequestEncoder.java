package io.loadgen.core.http1;

import io.loadgen.core.engine.Request;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Request} as the bytes of an HTTP/1.1 request: the request line, {@code Host}, {@code User-Agent},
 * the workload's headers, and {@code Content-Type}/{@code Content-Length} with the body. A request the workload
 * hands out again and again ({@link Request#reused()}: no variables, the same instance per payload) is encoded once
 * and its bytes reused; any other is encoded to its head alone, its body's runs written after it as they are, so that
 * a large body is never copied on the heap. Not thread-safe: one event loop owns an encoder.
 */
final class RequestEncoder {
    /** Most distinct requests whose bytes are kept. */
    static final int CACHE_MAX = 4096;

    private final String host;
    private final Map<Request, Encoded> cache = new IdentityHashMap<>();

    /**
     * A request's bytes: its head and, when it is not in the head already, its body's runs.
     *
     * @param head the request line and headers, and the body too when {@code body} is null
     * @param body the body to write after the head, or null
     */
    record Encoded(byte[] head, io.loadgen.core.engine.Body body, io.netty.buffer.ByteBuf shared) {
        /** @return the bytes in all */
        int length() {
            return head.length + (body == null ? 0 : body.length());
        }

        /**
         * @return the bytes in a direct buffer for one write (the caller writes and so releases it): a view of the
         *     request's own direct buffer when it is encoded once (no copy), else a pooled buffer filled now
         */
        io.netty.buffer.ByteBuf buffer(io.netty.buffer.ByteBufAllocator alloc) {
            if (shared != null) {
                return shared.retainedDuplicate();
            }
            io.netty.buffer.ByteBuf out = alloc.directBuffer(length());
            out.writeBytes(head);
            if (body != null) {
                for (int i = 0; i < body.parts(); i++) {
                    out.writeBytes(body.part(i));
                }
            }
            return out;
        }
    }

    /** Requests encoded once of at most this many bytes keep a direct buffer of their own, written without a copy. */
    static final int SHARED_MAX_BYTES = 64 * 1024;
    /** The most bytes of such buffers one encoder keeps. */
    static final long SHARED_BUDGET_BYTES = 32L << 20;
    private long sharedBytes;

    /** @param target the target, for the {@code Host} header */
    RequestEncoder(URI target) {
        int port = target.getPort();
        boolean defaultPort = port < 0 || port == 80 && "http".equalsIgnoreCase(target.getScheme());
        this.host = target.getHost() + (defaultPort ? "" : ":" + port);
    }

    /** @return the request's bytes (shared: do not modify) */
    Encoded encode(Request r) {
        if (!r.reused()) {
            return new Encoded(head(r), r.body(), null);
        }
        Encoded e = cache.get(r);
        if (e != null) {
            return e;
        }
        byte[] h = head(r);
        if (r.body() != null && r.body().length() > 0) {
            byte[] all = new byte[h.length + r.body().length()];
            System.arraycopy(h, 0, all, 0, h.length);
            int at = h.length;
            for (int i = 0; i < r.body().parts(); i++) {
                byte[] p = r.body().part(i);
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            h = all;
        }
        io.netty.buffer.ByteBuf shared = null;
        if (h.length <= SHARED_MAX_BYTES && sharedBytes + h.length <= SHARED_BUDGET_BYTES
                && cache.size() < CACHE_MAX) {
            shared = io.netty.buffer.Unpooled.directBuffer(h.length).writeBytes(h).asReadOnly();
            sharedBytes += h.length;
        }
        e = new Encoded(h, null, shared);
        if (cache.size() < CACHE_MAX) {
            cache.put(r, e);
        }
        return e;
    }

    /** Releases the direct buffers of the requests encoded once (the pool is closed: nothing writes them now). */
    void close() {
        for (Encoded e : cache.values()) {
            if (e.shared() != null) {
                e.shared().release();
            }
        }
        cache.clear();
        sharedBytes = 0;
    }

    /** @return the request line and the headers, with the blank line that ends them */
    private byte[] head(Request r) {
        URI u = r.uri();
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        StringBuilder head = new StringBuilder(128);
        head.append(r.method()).append(' ').append(path);
        if (u.getRawQuery() != null) {
            head.append('?').append(u.getRawQuery());
        }
        head.append(" HTTP/1.1\r\n");
        boolean hostGiven = false;
        boolean agentGiven = false;
        boolean typeGiven = false;
        for (Request.Header h : r.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            hostGiven |= n.equals("host");
            agentGiven |= n.equals("user-agent");
            typeGiven |= n.equals("content-type");
        }
        if (!hostGiven) {
            head.append("Host: ").append(host).append("\r\n");
        }
        if (!agentGiven) {
            head.append("User-Agent: loadgen\r\n");
        }
        for (Request.Header h : r.headers()) {
            if (h.name().equalsIgnoreCase("content-length") || h.name().equalsIgnoreCase("transfer-encoding")) {
                continue; // the body's framing is ours to write
            }
            head.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        io.loadgen.core.engine.Body body = r.body();
        if (body != null) {
            if (!typeGiven && r.contentType() != null) {
                head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length()).append("\r\n");
        } else if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
