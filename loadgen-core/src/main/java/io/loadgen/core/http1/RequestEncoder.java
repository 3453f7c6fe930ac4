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
 * hands out again and again (no variables: the same instance per payload) is encoded once and its bytes reused. Not
 * thread-safe: one event loop owns an encoder.
 */
final class RequestEncoder {
    /** Most distinct requests whose bytes are kept. */
    static final int CACHE_MAX = 4096;

    private final String host;
    private final Map<Request, byte[]> cache = new IdentityHashMap<>();

    /** @param target the target, for the {@code Host} header */
    RequestEncoder(URI target) {
        int port = target.getPort();
        boolean defaultPort = port < 0 || port == 80 && "http".equalsIgnoreCase(target.getScheme());
        this.host = target.getHost() + (defaultPort ? "" : ":" + port);
    }

    /** @return the request's bytes (shared: do not modify) */
    byte[] encode(Request r) {
        byte[] b = cache.get(r);
        if (b != null) {
            return b;
        }
        b = write(r);
        if (cache.size() < CACHE_MAX) {
            cache.put(r, b);
        }
        return b;
    }

    private byte[] write(Request r) {
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
        byte[] body = r.body();
        if (body != null) {
            if (!typeGiven && r.contentType() != null) {
                head.append("Content-Type: ").append(r.contentType()).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return h;
        }
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }
}
