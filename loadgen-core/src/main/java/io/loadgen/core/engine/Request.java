package io.loadgen.core.engine;

import java.net.URI;
import java.util.List;

/**
 * One HTTP request as the transport sends it.
 *
 * @param method HTTP method
 * @param uri absolute target URI
 * @param headers header name/value pairs, in order
 * @param body body bytes, or {@code null} for none; the array is shared and must not be modified
 * @param contentType content type of the body, or {@code null}
 * @param payload the index of the payload file it was made from, or -1 (for the checks of its answer)
 */
public record Request(String method, URI uri, List<Header> headers, byte[] body, String contentType, int payload) {
    /** A request made from no payload file. */
    public Request(String method, URI uri, List<Header> headers, byte[] body, String contentType) {
        this(method, uri, headers, body, contentType, -1);
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
