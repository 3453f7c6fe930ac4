package io.loadgen.core.engine;

import java.net.URI;
import java.util.List;

/**
 * One HTTP request as the transport sends it.
 *
 * @param method HTTP method
 * @param uri absolute target URI
 * @param headers header name/value pairs, in order
 * @param body the body, or {@code null} for none; shared and not to be modified
 * @param contentType content type of the body, or {@code null}
 * @param payload the index of the payload file it was made from, or -1 (for the checks of its answer)
 * @param reused whether the workload hands out this very instance again (it has no per-request variable): a
 *     transport may then encode it once and keep the bytes
 */
public record Request(String method, URI uri, List<Header> headers, Body body, String contentType, int payload,
        boolean reused) {
    /** A request made from no payload file, made anew for each send. */
    public Request(String method, URI uri, List<Header> headers, byte[] body, String contentType) {
        this(method, uri, headers, body == null ? null : Body.of(body), contentType, -1, false);
    }

    /**
     * One header.
     *
     * @param name header name
     * @param value header value
     */
    public record Header(String name, String value) {
    }
}
